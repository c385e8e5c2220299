using System.Net.Http.Json;
using System.Text.Json;
using Equip.Protocol;
using Equip.Scenarios.Harness;

namespace Equip.Scenarios.Scenarios;

/// F4: a site of several simulators loses the server (its uplink drops every byte) for minutes,
/// while another site keeps working. The working site's own links must keep flowing; the lost
/// site's items go after the grace period; on return everything converges, including the values
/// set for the lost site while it was away.
public sealed class InternetDrop : Scenario
{
    public override string Name => "f4-internet-drop";

    public override string Description => "a site of three simulators loses the server for minutes while another site keeps working";

    protected override async Task RunAsync(Installation installation, ScenarioReport report)
    {
        await installation.StartServerAsync();
        var siteA = installation.AddSite("site-a");
        var siteB = installation.AddSite("site-b");
        foreach (var container in new[] { "a-1", "a-2", "a-3" })
        {
            installation.StartSimulator(siteA, container, "--label", "site=a");
        }
        foreach (var container in new[] { "b-1", "b-2" })
        {
            installation.StartSimulator(siteB, container, "--label", "site=b");
        }
        var withinA = await Wiring.RingAsync(installation, "a-1", "a-2", "a-3");
        var withinB = await Wiring.RingAsync(installation, "b-1", "b-2");
        var aToB = await installation.RequestAsync("Counter", "b-1");
        var bToA = await installation.RequestAsync("Counter", "a-1");
        var across = new[]
        {
            await installation.LinkAsync(withinA.Senders["a-2"], aToB),
            await installation.LinkAsync(withinB.Senders["b-2"], bToA),
        };
        Guid[] requests = [.. withinA.Requests, .. withinB.Requests, aToB, bToA];
        Link[] links = [.. withinA.Links, .. withinB.Links, .. across];
        await installation.UntilRunningAsync(requests);
        await installation.UntilLinksFlowAsync(links, Now());

        siteA.Link.Blackhole();
        var cut = Now();

        // Site B carries on by itself.
        var local = await installation.UntilLinksFlowAsync(withinB.Links, Now());
        report.Measured("the other site's links flow during the outage (one round trip)", local);
        var lost = await installation.UntilAsync(async () => !(await installation.ListAsync("/api/containers")).Any(c => c.GetProperty("containerId").GetString()!.StartsWith("a-", StringComparison.Ordinal)),
            "the lost site's containers are removed after the grace period");
        report.Checked($"the lost site's items removed {Since(cut).TotalSeconds:0.0} s into the outage");
        var status = await installation.Http.GetFromJsonAsync<JsonElement>($"/api/links/{across[1].Id}");
        report.Require(status.GetProperty("status").GetString() == "destinationOffline", $"the link into the lost site destinationOffline (is {status.GetProperty("status")})");
        await installation.UntilLinksFlowAsync(withinB.Links, Now());
        report.Checked("the other site's links still flow late in the outage");
        const long missed = 777;
        report.Require(await installation.TrySetPropertyAsync(withinB.Senders["b-2"], "count", missed), "a value for the lost site set during the outage");
        var left = installation.Settings.SiteOutage - Since(cut);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left);
        }
        siteA.Link.Restore();
        var back = Now();

        var delivered = await installation.UntilAsync(async () => await installation.NumberAsync(bToA, "doubled") == Link.Arrived(missed), "the value set during the outage reaches the returning site",
            diagnose: async () => await installation.Http.GetStringAsync($"/api/links/{across[1].Id}"));
        report.Measured("value set during the outage delivered after the site is back", delivered);
        var flowing = await installation.UntilLinksFlowAsync(links, back);
        report.Measured("all links flow after the site is back", flowing);
        await MeasuredSinceReconnectedAsync(report, installation.Simulators.Where(s => s.Site == siteA), back, flowing);
        await installation.CheckLiveAsync(report, requests);
        var events = await installation.EventsAfterAsync(0);
        report.Require(!events.Any(e => ChangeEvents.IsDeleteOf(e, Ect.Container, "b-1") || ChangeEvents.IsDeleteOf(e, Ect.Container, "b-2")), "the working site never lost its containers");
    }
}
