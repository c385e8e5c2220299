using Equip.Scenarios.Harness;

namespace Equip.Scenarios.Scenarios;

/// F1 and F2 at once (a power cut on the device's and the server's circuit): both are killed, the
/// device comes back first, the server after it, on the same store. The old incarnation's items
/// must not survive, and the requested components must run once, on the new incarnation.
public sealed class DeviceAndServerRestart : Scenario
{
    public override string Name => "device-and-server-restart";

    public override string Description => "kill -9 a simulator and the server together; restart both";

    protected override async Task RunAsync(Installation installation, ScenarioReport report)
    {
        var pair = await TwoSimulators.StartAsync(installation);
        var (a, wiring) = (pair.A, pair.Wiring);

        await Task.WhenAll(installation.KillServerAsync(), a.KillAsync());
        a.Start();
        await a.Process!.WaitForOutputAsync("connection Connecting").WaitAsync(installation.Settings.Deadline);
        await installation.StartServerAsync();
        var up = Now();

        var links = await installation.UntilLinksFlowAsync(wiring.Links, up);
        report.Measured("links flow after the server is back", links);
        await MeasuredSinceReconnectedAsync(report, installation.Simulators, up, links);
        await installation.UntilAsync(() => pair.ConstantAppliedAsync(installation), "the constant is applied on the new incarnation");
        report.Measured("constant re-applied after the server is back", Since(up));
        await installation.CheckLiveAsync(report, pair.Requests);
        var stale = (await installation.ListAsync("/api/peers")).Count(p => p.GetProperty("peerId").GetString() == "sim-a");
        report.Require(stale == 1, $"one session for sim-a (found {stale})");
    }
}
