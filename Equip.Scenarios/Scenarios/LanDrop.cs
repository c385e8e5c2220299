using System.Net;
using System.Text.Json;
using Equip.Client;
using Equip.Protocol;
using Equip.Scenarios.Harness;

namespace Equip.Scenarios.Scenarios;

/// F3: one device's local network fails, by a reset (connections refused and closed) or a silent
/// drop (every byte vanishes, nothing is closed), for less than the grace period or for longer.
/// Shorter: nothing is deleted at all and what was missed arrives on return. Longer: the device's
/// items are removed, then restored on return; what was deleted meanwhile, on either side, stays
/// deleted.
public sealed class LanDrop(bool silent, bool longerThanGrace) : Scenario
{
    public override string Name => $"f3-lan-{(silent ? "drop" : "reset")}-{(longerThanGrace ? "long" : "short")}";

    public override string Description =>
        $"{(silent ? "silently drop" : "reset")} one simulator's connection for {(longerThanGrace ? "longer" : "less")} than the grace period";

    /// How long the cut lasts: a silent drop is only noticed after the client timeout, so the
    /// grace period starts that much later.
    public static TimeSpan OutageOf(ScenarioSettings settings, bool silent, bool longerThanGrace)
    {
        var detection = silent ? settings.ServerClientTimeout : TimeSpan.Zero;
        return longerThanGrace
            ? Max(settings.LongOutage, detection + settings.DisconnectGrace + TimeSpan.FromSeconds(2))
            : silent ? detection + settings.DisconnectGrace / 2 : Min(settings.ShortOutage, settings.DisconnectGrace / 2);
    }

    protected override async Task RunAsync(Installation installation, ScenarioReport report)
    {
        await installation.StartServerAsync();
        var lanA = installation.AddSite("lan-a");
        var lanB = installation.AddSite("lan-b");
        var a = installation.StartSimulator(lanA, "sim-a");
        installation.StartSimulator(lanB, "sim-b");
        var wiring = await Wiring.RingAsync(installation, "sim-a", "sim-b");
        var clock = await installation.RequestAsync("Clock", "sim-a", new { intervalMs = 200 });
        var clockView = await installation.RequestAsync("Display", "sim-b");
        var spare = await installation.RequestAsync("Display", "sim-a");
        await installation.LinkAsync(clock, "ticks", clockView, "text");
        await installation.UntilRunningAsync([.. wiring.Requests, clock, clockView, spare]);
        await installation.UntilLinksFlowAsync(wiring.Links, Now());

        // A device-side peer on the same network, owning two process-bound items and replicating a persistent one.
        var tablet = installation.StartPeer(lanA, "tablet-a");
        var kept = await tablet.AddAsync(Thing("kept", processBound: true));
        var dropped = await tablet.AddAsync(Thing("dropped", processBound: true));
        var shared = await installation.PostAsync("/api/items", new { type = "demo.Thing", fields = new { name = "shared" } });
        var sharedId = shared.GetProperty("id").GetGuid();
        var replica = tablet.Subscribe(new WirePattern { Type = "demo.Thing" });
        await installation.UntilAsync(() => Task.FromResult(replica.Get(sharedId) is not null), "the tablet replicates the shared item");

        var before = await installation.RevisionAsync();
        var ticksBefore = await installation.NumberAsync(clockView, "text");
        var outage = OutageOf(installation.Settings, silent, longerThanGrace);
        if (silent)
        {
            lanA.Link.Blackhole();
        }
        else
        {
            lanA.Link.Reset();
        }
        var cut = Now();

        // While away: a value for its display, a delete on each side.
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        const long missed = 4242;
        report.Require(await installation.TrySetPropertyAsync(wiring.Senders["sim-b"], "count", missed), "a value set on the other simulator while away");
        var deleteDropped = tablet.DeleteAsync(dropped.Id);
        using (var deleted = await installation.Http.DeleteAsync($"/api/items/{sharedId}"))
        {
            report.Require(deleted.StatusCode == HttpStatusCode.NoContent, "the shared item deleted while away");
        }
        if (longerThanGrace)
        {
            var removed = await installation.UntilAsync(async () => (await installation.ListAsync("/api/containers")).All(c => c.GetProperty("containerId").GetString() != "sim-a"), "the cut simulator's items are removed");
            report.Checked($"the cut simulator's items removed {(Since(cut) - TimeSpan.Zero).TotalMilliseconds:0} ms into the cut");
            using var stopped = await installation.Http.DeleteAsync($"/api/component-requests/{spare}");
            report.Require(stopped.StatusCode == HttpStatusCode.NoContent, "a request of the cut simulator deleted while away");
        }
        var left = outage - Since(cut);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left);
        }
        lanA.Link.Restore();
        var back = Now();

        // What was missed arrives.
        var delivered = await installation.UntilAsync(async () => await installation.NumberAsync(wiring.Receivers["sim-a"], "doubled") == Link.Arrived(missed), "the missed value reaches the returning display");
        report.Measured("missed value delivered after the network is back", delivered);
        var links = await installation.UntilLinksFlowAsync(wiring.Links, back);
        report.Measured("links flow after the network is back", links);
        await MeasuredSinceReconnectedAsync(report, [a], back, links);
        await installation.UntilAsync(async () => await installation.NumberAsync(clockView, "text") > ticksBefore + 1, "the returning clock's ticks flow again");
        await deleteDropped.WaitAsync(installation.Settings.Deadline);
        await tablet.WaitUntilConnectedAsync().WaitAsync(installation.Settings.Deadline);
        await installation.UntilAsync(() => Task.FromResult(replica.Get(sharedId) is null), "the tablet's replica loses the item deleted while it was away");
        await installation.UntilAsync(async () => await ExistsAsync(installation, kept.Id), "the tablet's kept item is there");
        report.Require(!await ExistsAsync(installation, dropped.Id), "the item the tablet deleted while away stays deleted");
        report.Require(!await ExistsAsync(installation, sharedId), "the shared item deleted while away stays deleted");

        var events = await installation.EventsAfterAsync(before);
        var deletes = events.Where(e => e.GetProperty("kind").GetString() == "deleted").ToList();
        if (longerThanGrace)
        {
            report.Require(deletes.Any(e => ChangeEvents.IsDeleteOf(e, Ect.Container, "sim-a")), "the cut simulator's container deleted during the outage");
            await installation.UntilAsync(async () => (await installation.Http.GetAsync($"/api/components/{spare}")).StatusCode == HttpStatusCode.NotFound
                && a.Process!.Output.Contains($"stopped Display {spare}", StringComparison.Ordinal), "the component of the request deleted while away is stopped");
            report.Require((await installation.Http.GetAsync($"/api/component-requests/{spare}")).StatusCode == HttpStatusCode.NotFound, "the request deleted while away stays deleted");
        }
        else
        {
            var unexpected = deletes.Where(e => e.GetProperty("item").GetProperty("id").GetGuid() is var id && id != sharedId && id != dropped.Id).ToList();
            report.Require(unexpected.Count == 0, $"no delete events during a short cut (found {string.Join(", ", unexpected.Select(e => e.GetProperty("item").GetProperty("type").GetString()))})");
        }
        await installation.CheckLiveAsync(report, [.. wiring.Requests, clock, clockView, .. longerThanGrace ? Array.Empty<Guid>() : [spare]]);
    }

    private static async Task<bool> ExistsAsync(Installation installation, Guid item)
    {
        using var response = await installation.Http.GetAsync($"/api/items/{item}");
        return response.StatusCode == HttpStatusCode.OK;
    }

    private static AddRequest Thing(string name, bool processBound) =>
        new() { Type = "demo.Thing", Fields = JsonDocument.Parse($$"""{"name":"{{name}}"}""").RootElement.Clone(), ProcessBound = processBound };

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
