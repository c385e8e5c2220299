using System.Text.Json;
using Equip.Client;
using Equip.Client.Components;
using Equip.Protocol;
using Equip.Testing;
using Equip.Tests.Support;

namespace Equip.Tests.Components;

/// A ComponentContainer on Equip.Client against a real Kestrel; the test plays the server's
/// launcher and the users of the REST API with plain HTTP, and watches the dataspace as a peer.
public sealed class ContainerTests : IAsyncLifetime
{
    private const string Box = "box-1";
    private readonly TestStore _store = TestStore.Sqlite()
        .With("Equip:Peers:KeepAliveInterval", "00:00:00.500")
        .With("Equip:Peers:ClientTimeout", "00:00:02");
    private readonly List<IAsyncDisposable> _cleanup = [];
    private EquipServer? _server;
    private FaultProxy? _proxy;
    private HttpClient? _http;
    private Replica? _watch;

    private EquipServer Server => _server!;

    private FaultProxy Proxy => _proxy!;

    private ItemsRest Rest => new(_http!);

    /// Every ect.* item, as a peer of its own sees them.
    private Replica Watch => _watch!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_cleanup))
        {
            await disposable.DisposeAsync();
        }
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }
        _http?.Dispose();
        _server?.Dispose();
        _store.Dispose();
    }

    private void StartServer(string grace = "00:00:30")
    {
        _server = new EquipServer(_store.With("Equip:Peers:DisconnectGrace", grace));
        _proxy = new FaultProxy(_server.Address.Port);
        _http = _server.NewClient();
        _watch = Track(Devices.Start(_server.Address, "watcher")).Subscribe(new WirePattern { Type = "ect.*" });
    }

    private T Track<T>(T disposable) where T : IAsyncDisposable
    {
        _cleanup.Add(disposable);
        return disposable;
    }

    private async Task<ComponentContainer> StartContainerAsync(string containerId = Box, Uri? server = null, ComponentContainerOptions? options = null)
    {
        var client = Track(Devices.Start(server ?? Server.Address, containerId));
        var container = Track(new ComponentContainer(client, containerId, options));
        container.Export<Panel>("Panel");
        container.Export<Faulty>("Faulty");
        await container.StartAsync().WaitAsync(Wait.Timeout);
        return container;
    }

    /// A request already assigned to a container, as the launcher leaves it. Unnamed, the launcher
    /// keeps the assignment while it fits, so a test can move it by hand.
    private Task<Guid> RequestAsync(string capability, string containerId = Box, object? initialValues = null, object? lastValues = null, bool named = true) =>
        Rest.AddAsync(Ect.ComponentRequest, new
        {
            capability,
            containerId = named ? containerId : null,
            selector = (object?)null,
            initialValues = initialValues ?? new { },
            lastValues = lastValues ?? new { },
            assignedContainerId = containerId,
            status = "pending",
            reason = (string?)null,
            componentId = (string?)null,
        });

    private async Task<Panel> LaunchedPanelAsync(ComponentContainer container, Guid request)
    {
        await Watch.Settled(r => PropertyOf(request, "shape") is not null);
        return Assert.IsType<Panel>(container.Components[Ect.ComponentIdForRequest(request)]);
    }

    private WireItem? PropertyOf(Guid request, string name) => Watch.Get(Ect.PropertyItemId(Ect.ComponentIdForRequest(request), name));

    private WireItem? ComponentOf(Guid request) => Watch.Get(Ect.ComponentItemId(Ect.ComponentIdForRequest(request)));

    private static JsonElement ValueOf(WireItem? item) => item!.Fields.GetProperty("value");

    private Task<long> SetAsync(Guid request, string name, object? value) =>
        Rest.PutFieldAsync(PropertyOf(request, name)!.Id, PropertyOf(request, name)!.Fields, "value", value);

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static Task<T> NextChange<T>(ComponentProperty<T> property)
    {
        var changed = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        property.Changed += value => changed.TrySetResult(value);
        return changed.Task.WaitAsync(Wait.Timeout);
    }

    [Fact]
    public async Task AStartedContainerPublishesItselfAndEachCapabilityWithItsPropertySchema()
    {
        StartServer();

        await StartContainerAsync(options: new ComponentContainerOptions
        {
            Name = "Hall box",
            Host = "pi-7",
            Labels = new Dictionary<string, string> { ["room"] = "hall" },
        });

        var containerId = Ect.ContainerItemId(Box);
        var panelId = Ect.CapabilityItemId(Box, "Panel");
        await Watch.Settled(r => r.Get(containerId) is not null && r.Get(panelId) is not null && r.Get(Ect.CapabilityItemId(Box, "Faulty")) is not null);
        var container = Watch.Get(containerId)!;
        Assert.Equal((Ect.Container, Box, true), (container.Type, container.Responsible, container.ProcessBound));
        Assert.True(JsonElement.DeepEquals(
            Json("""{"containerId":"box-1","name":"Hall box","host":"pi-7","labels":{"room":"hall"}}"""),
            container.Fields));
        var capability = Watch.Get(panelId)!;
        Assert.Equal((Ect.Capability, Box, true), (capability.Type, capability.Responsible, capability.ProcessBound));
        Assert.True(JsonElement.DeepEquals(
            Json("""
                {"containerId":"box-1","capability":"Panel","properties":[
                  {"name":"text","type":"string","readOnly":false,"default":"blank"},
                  {"name":"updates","type":"integer","readOnly":true,"default":0},
                  {"name":"level","type":"number","readOnly":false,"default":0.5},
                  {"name":"count","type":"integer","readOnly":false,"default":1},
                  {"name":"on","type":"boolean","readOnly":false,"default":false},
                  {"name":"shape","type":"json","readOnly":false,"default":{"kind":"round"}}]}
                """),
            capability.Fields), capability.Fields.GetRawText());
    }

    [Fact]
    public async Task ARequestAssignedToTheContainerLaunchesItsComponentWithDefaultsThenInitialValuesThenLastValues()
    {
        StartServer();
        var container = await StartContainerAsync();

        var request = await RequestAsync("Panel",
            initialValues: new { text = "from initial", level = 0.25, count = 7, updates = "many" },
            lastValues: new { count = 9, on = true });

        var panel = await LaunchedPanelAsync(container, request);
        var componentId = request.ToString();
        await Watch.Settled(r => ComponentOf(request) is not null);
        var component = ComponentOf(request)!;
        Assert.Equal((Ect.Component, Box, true), (component.Type, component.Responsible, component.ProcessBound));
        Assert.True(JsonElement.DeepEquals(
            Json($$"""{"componentId":"{{componentId}}","containerId":"box-1","capability":"Panel","componentRequestId":"{{request}}","name":"Panel"}"""),
            component.Fields));
        var text = PropertyOf(request, "text")!;
        Assert.Equal((Ect.Property, Box, true), (text.Type, text.Responsible, text.ProcessBound));
        Assert.True(JsonElement.DeepEquals(
            Json($$"""{"componentId":"{{componentId}}","name":"text","type":"string","readOnly":false,"value":"from initial"}"""),
            text.Fields));
        Assert.Equal(0.25, ValueOf(PropertyOf(request, "level")).GetDouble());
        Assert.Equal(9, ValueOf(PropertyOf(request, "count")).GetInt32());
        Assert.True(ValueOf(PropertyOf(request, "on")).GetBoolean());
        Assert.Equal(0, ValueOf(PropertyOf(request, "updates")).GetInt64());
        Assert.Equal("round", ValueOf(PropertyOf(request, "shape")).GetProperty("kind").GetString());
        Assert.True(PropertyOf(request, "updates")!.Fields.GetProperty("readOnly").GetBoolean());
        Assert.Equal(("from initial", 9, true, componentId, (Guid?)request), (panel.Text.Value, panel.Count.Value, panel.On.Value, panel.ComponentId, panel.ComponentRequestId));
    }

    [Fact]
    public async Task AValueWrittenIntoAWritablePropertyReachesTheComponentAndWhatItDerivesIsPublished()
    {
        StartServer();
        var container = await StartContainerAsync();
        var request = await RequestAsync("Panel");
        var panel = await LaunchedPanelAsync(container, request);
        var levelChanged = NextChange(panel.Level);
        var countChanged = NextChange(panel.Count);

        await SetAsync(request, "text", "hello");
        await SetAsync(request, "level", 3);
        await SetAsync(request, "count", Json("3.0"));

        await Watch.Settled(r => ValueOf(PropertyOf(request, "updates")).GetInt64() == 1);
        Assert.Equal("hello", panel.Text.Value);
        Assert.Equal("hello", ValueOf(PropertyOf(request, "text")).GetString());
        Assert.Equal(3.0, await levelChanged);
        Assert.Equal(3, await countChanged);
        Assert.Equal(1, panel.Updates.Value);
    }

    [Fact]
    public async Task AValueWrittenIntoAReadOnlyPropertyIsRevertedToTheComponentsValue()
    {
        StartServer();
        var container = await StartContainerAsync();
        var request = await RequestAsync("Panel");
        var panel = await LaunchedPanelAsync(container, request);

        var written = await SetAsync(request, "updates", 99);

        await Watch.Settled(r => PropertyOf(request, "updates") is { } item && item.Revision > written && ValueOf(item).GetInt64() == 0);
        Assert.Equal(0, panel.Updates.Value);
    }

    [Fact]
    public async Task AWriteThatAltersAPropertysDescriptionIsRepairedAndItsValueStillApplied()
    {
        StartServer();
        var container = await StartContainerAsync();
        var request = await RequestAsync("Panel");
        var panel = await LaunchedPanelAsync(container, request);
        var item = PropertyOf(request, "text")!;
        var fields = Json($$"""{"componentId":"{{request}}","name":"text","type":"integer","readOnly":true,"value":"written"}""");

        var written = await Rest.PutFieldsAsync(item.Id, fields);

        await Watch.Settled(r => PropertyOf(request, "text") is { } text && text.Revision > written);
        var repaired = PropertyOf(request, "text")!.Fields;
        Assert.Equal(("string", false, "written"), (repaired.GetProperty("type").GetString(), repaired.GetProperty("readOnly").GetBoolean(), repaired.GetProperty("value").GetString()));
        Assert.Equal("written", panel.Text.Value);
    }

    [Theory]
    [InlineData("count", "3.5")]
    [InlineData("count", "\"5\"")]
    [InlineData("count", "3000000000")]
    [InlineData("level", "\"0.7\"")]
    [InlineData("text", "5")]
    [InlineData("on", "\"true\"")]
    public async Task AValueThatDoesNotConvertLosslesslyIsRevertedAndTheComponentKeepsItsValue(string property, string json)
    {
        StartServer();
        var container = await StartContainerAsync();
        var request = await RequestAsync("Panel");
        var panel = await LaunchedPanelAsync(container, request);
        var before = ValueOf(PropertyOf(request, property));

        var written = await SetAsync(request, property, Json(json));

        await Watch.Settled(r => PropertyOf(request, property) is { } item && item.Revision > written && JsonElement.DeepEquals(ValueOf(item), before));
        Assert.True(JsonElement.DeepEquals(before, panel.Properties.Single(p => p.Name == property).JsonValue));
    }

    [Fact]
    public async Task DeletingTheRequestStopsTheComponentAndDeletesItsItems()
    {
        StartServer();
        var container = await StartContainerAsync();
        var stopped = new TaskCompletionSource<Component>(TaskCreationOptions.RunContinuationsAsynchronously);
        container.Stopped += c => stopped.TrySetResult(c);
        var request = await RequestAsync("Panel");
        var panel = await LaunchedPanelAsync(container, request);

        await Rest.DeleteAsync(request);

        Assert.Same(panel, await stopped.Task.WaitAsync(Wait.Timeout));
        await Watch.Settled(r => !r.Items.Any(i => i.Type is Ect.Component or Ect.Property));
        Assert.Empty(container.Components);
        Assert.NotNull(Watch.Get(Ect.CapabilityItemId(Box, "Panel")));
    }

    [Fact]
    public async Task ARequestAssignedToAnotherContainerStopsHereAndRunsThereUnderTheSameIdentity()
    {
        StartServer();
        var first = await StartContainerAsync("box-1");
        var second = await StartContainerAsync("box-2");
        // The launcher keeps an unnamed request where it is only while that container exports the capability.
        await Watch.Settled(r => r.Get(Ect.CapabilityItemId("box-1", "Panel")) is not null && r.Get(Ect.CapabilityItemId("box-2", "Panel")) is not null);
        var request = await RequestAsync("Panel", "box-1", named: false);
        await LaunchedPanelAsync(first, request);
        var fields = Watch.Get(request)!.Fields;

        await Rest.PutFieldAsync(request, fields, "assignedContainerId", "box-2");

        var componentId = request.ToString();
        await Watch.Settled(r =>
            ComponentOf(request)?.Responsible == "box-2"
            && r.Items.Count(i => i.Type == Ect.Property && i.Responsible == "box-2") == 6);
        Assert.False(first.Components.ContainsKey(componentId));
        Assert.IsType<Panel>(second.Components[componentId]);
        Assert.DoesNotContain(Watch.Items, i => i.Type is Ect.Component or Ect.Property && i.Responsible == "box-1");
    }

    [Fact]
    public async Task APropertyAddedWhileTheComponentRunsIsPublishedAndTakesValuesFromOutside()
    {
        StartServer();
        var container = await StartContainerAsync();
        var request = await RequestAsync("Panel");
        var panel = await LaunchedPanelAsync(container, request);

        var extra = panel.Add("extra", 5L);

        await Watch.Settled(r => PropertyOf(request, "extra") is not null);
        var item = PropertyOf(request, "extra")!;
        Assert.Equal(("integer", false, 5L), (item.Fields.GetProperty("type").GetString(), item.Fields.GetProperty("readOnly").GetBoolean(), ValueOf(item).GetInt64()));
        var changed = NextChange(extra);
        await SetAsync(request, "extra", 6);
        Assert.Equal(6, await changed);
        Assert.Equal(7, panel.Properties.Count);
    }

    [Fact]
    public async Task ValuesTheComponentSetsArePublishedInTheOrderTheyWereSet()
    {
        StartServer();
        var container = await StartContainerAsync();
        var request = await RequestAsync("Panel");
        var panel = await LaunchedPanelAsync(container, request);

        for (var i = 1; i <= 50; i++)
        {
            panel.Count.Value = i;
        }

        await Watch.Settled(r => ValueOf(PropertyOf(request, "count")).GetInt32() == 50);
        Assert.Equal(50, panel.Count.Value);
    }

    [Fact]
    public async Task AComponentWhoseStartFailsIsReportedAndNotLaunched()
    {
        StartServer();
        var container = await StartContainerAsync();
        var failed = new TaskCompletionSource<ComponentFailure>(TaskCreationOptions.RunContinuationsAsynchronously);
        container.ComponentFailed += f => failed.TrySetResult(f);

        var faulty = await RequestAsync("Faulty");
        var failure = await failed.Task.WaitAsync(Wait.Timeout);
        var panel = await RequestAsync("Panel");
        await LaunchedPanelAsync(container, panel);

        Assert.Equal((faulty.ToString(), "Faulty", "The hardware is missing."), (failure.ComponentId, failure.Capability, failure.Error.Message));
        Assert.Null(ComponentOf(faulty));
        Assert.Equal(new[] { panel.ToString() }, container.Components.Keys);
    }

    [Fact]
    public async Task ARestartedContainerRunsItsRequestAgainUnderTheSameIdentities()
    {
        StartServer();
        var crashing = Devices.Start(Server.Address, Box);
        var first = Track(new ComponentContainer(crashing, Box));
        first.Export<Panel>("Panel");
        await first.StartAsync().WaitAsync(Wait.Timeout);
        var request = await RequestAsync("Panel");
        await LaunchedPanelAsync(first, request);
        var before = ComponentOf(request)!.Revision;

        await crashing.DisposeAsync();
        var second = await StartContainerAsync();

        await Watch.Settled(r => ComponentOf(request) is { } c && c.Revision > before && PropertyOf(request, "shape") is { } p && p.Revision > before);
        Assert.IsType<Panel>(second.Components[request.ToString()]);
        Assert.Equal(Box, ComponentOf(request)!.Responsible);
    }

    [Fact]
    public async Task ARequestDeletedWhileTheContainerWasDisconnectedStopsItsComponentWhenItReconnects()
    {
        StartServer();
        var container = await StartContainerAsync(server: Proxy.Address);
        var request = await RequestAsync("Panel");
        await LaunchedPanelAsync(container, request);

        Proxy.Reset();
        await Rest.DeleteAsync(request);
        Proxy.Restore();

        await Watch.Settled(r => ComponentOf(request) is null && !r.Items.Any(i => i.Type == Ect.Property));
        Assert.Empty(container.Components);
    }

    [Fact]
    public async Task AValueSetFromOutsideIsWhatComesBackWhenTheContainerReturnsAfterItsSessionEnded()
    {
        StartServer(grace: "00:00:01");
        var container = await StartContainerAsync(server: Proxy.Address);
        var request = await RequestAsync("Panel");
        var panel = await LaunchedPanelAsync(container, request);
        await SetAsync(request, "text", "kept");
        await Watch.Settled(r => ValueOf(PropertyOf(request, "updates")).GetInt64() == 1);

        Proxy.Blackhole();
        await Watch.Settled(r => ComponentOf(request) is null && PropertyOf(request, "text") is null);
        Proxy.Restore();

        // The count's value may have been sent without its acknowledgement reaching the container
        // before the network went: the container re-asserts the count it had acknowledged, then
        // sends the value again.
        await Watch.Settled(r => PropertyOf(request, "text") is not null && PropertyOf(request, "updates") is { } updates && ValueOf(updates).GetInt64() == 1);
        Assert.Equal("kept", ValueOf(PropertyOf(request, "text")).GetString());
        Assert.Equal(1, ValueOf(PropertyOf(request, "updates")).GetInt64());
        Assert.Equal(("kept", 1L), (panel.Text.Value, panel.Updates.Value));
        Assert.Same(panel, container.Components[request.ToString()]);
    }
}
