using System.Net.Http.Json;
using Equip.Scenarios.Harness;

namespace Equip.Scenarios.Scenarios;

/// F2: the server is killed (kill -9) in the middle of traffic (requests, constants and values
/// being written, a clock ticking through a link) and restarted on the same store. One simulator
/// dies while the server is down and stays dead. Every acknowledged write must be there; the live
/// simulators reconnect by themselves; the dead one's items go after the grace period; links flow.
public sealed class ServerRestart : Scenario
{
    public override string Name => "f2-server-restart";

    public override string Description => "kill -9 the server mid-traffic and restart it on the same store";

    protected override async Task RunAsync(Installation installation, ScenarioReport report)
    {
        await installation.StartServerAsync();
        var lan = installation.AddSite("lan");
        installation.StartSimulator(lan, "sim-a");
        installation.StartSimulator(lan, "sim-b");
        var c = installation.StartSimulator(lan, "sim-c");
        var wiring = await Wiring.RingAsync(installation, "sim-a", "sim-b");
        var clock = await installation.RequestAsync("Clock", "sim-c", new { intervalMs = 100 });
        var clockView = await installation.RequestAsync("Display", "sim-b");
        var clockLink = await installation.LinkAsync(clock, "ticks", clockView, "text");
        await installation.UntilRunningAsync([.. wiring.Requests, clock, clockView]);
        await installation.UntilLinksFlowAsync(wiring.Links, Now());

        // Traffic: counters requested on sim-b with a constant each, and slider values.
        // Each acknowledged request, with the doubled values it may show: an unacknowledged
        // constant may or may not be there.
        var expectedDoubled = new Dictionary<Guid, long[]>();
        var acknowledgedConstants = new List<Guid>();
        using var stopTraffic = new CancellationTokenSource();
        var traffic = Task.Run(async () =>
        {
            for (var i = 0; !stopTraffic.IsCancellationRequested; i++)
            {
                try
                {
                    var counter = await installation.RequestAsync("Counter", "sim-b");
                    expectedDoubled[counter] = [0, 2 * i];
                    acknowledgedConstants.Add(await installation.ConstantAsync(counter, "count", i));
                    expectedDoubled[counter] = [2 * i];
                    await installation.TrySetPropertyAsync(wiring.Senders["sim-a"], "count", i);
                }
                catch (Exception) when (!stopTraffic.IsCancellationRequested)
                {
                    await Task.Delay(50); // the server is down: not acknowledged, not expected
                }
                catch (Exception)
                {
                    return;
                }
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await installation.KillServerAsync();
        await c.KillAsync();
        await stopTraffic.CancelAsync();
        await traffic;
        report.Require(expectedDoubled.Count > 0, "requests acknowledged before the crash");
        await Task.Delay(installation.Settings.ShortOutage);

        await installation.StartServerAsync();
        var back = Now();

        var links = await installation.UntilLinksFlowAsync(wiring.Links, back);
        report.Measured("links flow after the server is back", links);
        await MeasuredSinceReconnectedAsync(report, installation.Simulators.Where(s => s.IsRunning), back, links);
        var requests = await installation.IdsAsync("/api/component-requests");
        report.Require(expectedDoubled.Keys.All(requests.Contains), $"all {expectedDoubled.Count} acknowledged requests kept");
        var constants = await installation.IdsAsync("/api/constants");
        report.Require(acknowledgedConstants.All(constants.Contains), $"all {acknowledgedConstants.Count} acknowledged constants kept");
        var storedLinks = await installation.IdsAsync("/api/links");
        report.Require(wiring.Links.All(l => storedLinks.Contains(l.Id)) && storedLinks.Contains(clockLink), "all links kept");
        var counters = await installation.UntilAsync(async () =>
        {
            foreach (var (counter, doubled) in expectedDoubled)
            {
                if ((await installation.PropertyAsync(counter, "doubled"))?.GetInt64() is not { } value || !doubled.Contains(value))
                {
                    return false;
                }
            }
            return true;
        }, "every counter runs with its constant applied", diagnose: async () =>
        {
            var wrong = new List<string>();
            foreach (var (counter, doubled) in expectedDoubled)
            {
                var value = await installation.PropertyAsync(counter, "doubled");
                if (value?.GetInt64() is not { } found || !doubled.Contains(found))
                {
                    var count = await installation.PropertyAsync(counter, "count");
                    wrong.Add($"{counter}: count {count?.ToString() ?? "missing"}, doubled {value?.ToString() ?? "missing"}, expected {string.Join(" or ", doubled)}");
                }
            }
            return $"{wrong.Count} counters wrong: {string.Join("; ", wrong)}";
        });
        report.Measured($"{expectedDoubled.Count} counters run with their constants after the server is back", Since(back));
        report.Checked($"counters settled {counters.TotalMilliseconds:0} ms after the links");

        // sim-c died with the server: its items go when the grace period ends, its request waits.
        await installation.UntilAsync(async () => (await installation.ListAsync("/api/containers")).All(x => x.GetProperty("containerId").GetString() != "sim-c"), "the dead simulator's container is removed");
        report.Measured("dead simulator's items removed after the server is back", Since(back));
        await installation.UntilAsync(async () => (await installation.RequestStatusAsync(clock)).GetProperty("status").GetString() == "pending", "the dead simulator's request is pending");
        await installation.CheckLiveAsync(report, [.. wiring.Requests, clockView, .. expectedDoubled.Keys]);
        var clockStatus = await installation.Http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/links/{clockLink}");
        report.Require(clockStatus.GetProperty("status").GetString() == "sourceMissing", $"the dead clock's link sourceMissing (is {clockStatus.GetProperty("status")})");
    }
}
