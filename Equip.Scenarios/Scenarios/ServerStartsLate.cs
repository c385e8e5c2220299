using Equip.Scenarios.Harness;

namespace Equip.Scenarios.Scenarios;

/// The installation is set up, the server goes down, and the devices start (power returns at
/// the site) before the server does: they keep trying, and once it is up they connect, their
/// components are launched and the links flow.
public sealed class ServerStartsLate : Scenario
{
    public override string Name => "server-starts-after-devices";

    public override string Description => "the devices start while the server is down; the server starts later";

    protected override async Task RunAsync(Installation installation, ScenarioReport report)
    {
        await installation.StartServerAsync();
        var wiring = await Wiring.RingAsync(installation, "sim-a", "sim-b");
        var note = await installation.RequestAsync("Counter", "sim-b");
        await installation.ConstantAsync(note, "count", 21);
        await installation.KillServerAsync();

        var lan = installation.AddSite("lan");
        installation.StartSimulator(lan, "sim-a");
        installation.StartSimulator(lan, "sim-b");
        await Task.WhenAll(installation.Simulators.Select(s => s.Process!.WaitForOutputAsync("connection Connecting")))
            .WaitAsync(installation.Settings.Deadline);
        report.Checked("the simulators retry while the server is down");
        await Task.Delay(installation.Settings.DeviceReconnectCap * 2);

        await installation.StartServerAsync();
        var up = Now();
        var links = await installation.UntilLinksFlowAsync(wiring.Links, up);
        report.Measured("links flow after the server starts", links);
        await MeasuredSinceReconnectedAsync(report, installation.Simulators, up, links);
        await installation.UntilAsync(async () => (await installation.PropertyAsync(note, "doubled"))?.GetInt64() == 42, "the constant is applied");
        report.Measured("constant applied after the server starts", Since(up));
        await installation.CheckLiveAsync(report, [.. wiring.Requests, note]);
    }
}
