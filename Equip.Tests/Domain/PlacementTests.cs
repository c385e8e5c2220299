using Equip.Domain.Components;

namespace Equip.Tests.Domain;

public sealed class PlacementTests
{
    private static ContainerInfo Container(string id, string capabilities = "Slider", int running = 0, string? host = null, string labels = "") =>
        new(id, host,
            labels.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')).ToDictionary(l => l[0], l => l[1]),
            capabilities.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(),
            running);

    private static Dictionary<string, ContainerInfo> Connected(params ContainerInfo[] containers) =>
        containers.ToDictionary(c => c.ContainerId);

    private static PlacementDecision Decide(string? named = null, Selector? selector = null, string? assigned = null, params ContainerInfo[] containers) =>
        Placement.Decide(new PlacementRequest("Slider", named, selector, assigned), Connected(containers));

    [Fact]
    public void ANamedContainerThatExportsTheCapabilityRunsIt() =>
        Assert.Equal(new PlacementDecision("pi-1", null), Decide("pi-1", containers: [Container("pi-1"), Container("pi-2", running: 0)]));

    [Fact]
    public void ANamedContainerStaysAssignedWhileItIsNotConnected() =>
        Assert.Equal(new PlacementDecision("pi-1", "container 'pi-1' is not connected"), Decide("pi-1", containers: [Container("pi-2")]));

    // The container ignores what it cannot run; an assignment that came and went would stop and
    // relaunch the component while the container publishes its capabilities.
    [Fact]
    public void ANamedContainerStaysAssignedWhenItDoesNotExportTheCapability() =>
        Assert.Equal(new PlacementDecision("pi-1", "container 'pi-1' does not export 'Slider'"),
            Decide("pi-1", containers: [Container("pi-1", "Display"), Container("pi-2")]));

    [Fact]
    public void ANamedContainerIsKeptWhateverTheSelectorOrAnEarlierAssignmentSay() =>
        Assert.Equal("pi-1", Decide("pi-1", new Selector("other-host", null), "pi-2", Container("pi-1"), Container("pi-2")).AssignedContainerId);

    [Fact]
    public void WithoutANameTheConnectedContainerRunningFewestComponentsIsChosen() =>
        Assert.Equal(new PlacementDecision("pi-2", null),
            Decide(containers: [Container("pi-1", running: 3), Container("pi-2", running: 1), Container("pi-3", "Display", running: 0)]));

    [Fact]
    public void ATieIsBrokenByContainerIdInOrdinalOrder() =>
        Assert.Equal("Pi-b", Decide(containers: [Container("pi-a", running: 1), Container("pi-c", running: 1), Container("Pi-b", running: 1)]).AssignedContainerId);

    [Fact]
    public void AnAssignedContainerIsKeptWhileItIsKnownEvenIfAnotherRunsFewer() =>
        Assert.Equal(new PlacementDecision("pi-1", null),
            Decide(assigned: "pi-1", containers: [Container("pi-1", running: 9), Container("pi-2", running: 0)]));

    [Fact]
    public void AnAssignedContainerThatIsGoneIsReplaced() =>
        Assert.Equal("pi-2", Decide(assigned: "pi-1", containers: [Container("pi-2"), Container("pi-3", running: 2)]).AssignedContainerId);

    [Fact]
    public void AnAssignedContainerThatNoLongerFitsIsReplaced()
    {
        Assert.Equal("pi-2", Decide(assigned: "pi-1", containers: [Container("pi-1", "Display"), Container("pi-2", running: 5)]).AssignedContainerId);
        Assert.Equal("pi-2", Decide(selector: new Selector("hall", null), assigned: "pi-1",
            containers: [Container("pi-1", host: "porch"), Container("pi-2", host: "hall", running: 5)]).AssignedContainerId);
    }

    [Fact]
    public void ASelectorChoosesOnlyAmongTheContainersItMatches() =>
        Assert.Equal("pi-3", Decide(selector: new Selector("hall", new Dictionary<string, string> { ["room"] = "east" }),
            containers:
            [
                Container("pi-1", host: "porch", labels: "room=east"),
                Container("pi-2", host: "hall", labels: "room=west"),
                Container("pi-3", host: "hall", labels: "room=east,floor=1", running: 4),
            ]).AssignedContainerId);

    [Fact]
    public void WhenNoContainerCanTakeTheRequestItIsNotPlacedAndSaysWhy()
    {
        Assert.Equal(new PlacementDecision(null, "no connected container exports 'Slider'"), Decide(containers: [Container("pi-1", "Display")]));
        Assert.Equal(new PlacementDecision(null, "no connected container exports 'Slider' and matches the selector"),
            Decide(selector: new Selector("hall", null), containers: [Container("pi-1", host: "porch")]));
        Assert.Equal(new PlacementDecision(null, "no connected container exports 'Slider'"), Decide());
    }

    [Theory]
    [InlineData(null, "hall", true)]
    [InlineData("hall", "hall", true)]
    [InlineData("Hall", "hALL", true)]
    [InlineData("hall", "porch", false)]
    [InlineData("hall", null, false)]
    public void ASelectorsHostMatchesRegardlessOfCaseAndNeverAContainerWithoutOne(string? selected, string? host, bool matches) =>
        Assert.Equal(matches, new Selector(selected, null).Matches(Container("pi-1", host: host)));

    [Theory]
    [InlineData("", "room=hall", true)]
    [InlineData("room=hall", "room=hall,floor=1", true)]
    [InlineData("room=hall,floor=1", "room=hall,floor=1", true)]
    [InlineData("room=hall,floor=2", "room=hall,floor=1", false)]
    [InlineData("room=hall", "floor=1", false)]
    [InlineData("room=hall", "", false)]
    [InlineData("room=Hall", "room=hall", false)]
    public void ASelectorsLabelsMustAllBePresentWithTheSameValue(string selected, string labels, bool matches)
    {
        var wanted = Container("x", labels: selected).Labels;
        Assert.Equal(matches, new Selector(null, wanted.ToDictionary()).Matches(Container("pi-1", labels: labels)));
    }

    [Fact]
    public void ASelectorWithoutLabelsMatchesAnyLabels() =>
        Assert.True(new Selector(null, null).Matches(Container("pi-1", labels: "room=hall")));
}
