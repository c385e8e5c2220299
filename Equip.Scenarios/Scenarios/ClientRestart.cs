using Equip.Scenarios.Harness;

namespace Equip.Scenarios.Scenarios;

/// F1: a simulator is killed (kill -9) and started again with the same container id. The server
/// must drop the old incarnation's components at once (not after the grace period), relaunch the
/// requested components on the new one, carry links into and out of them, and apply constants.
public sealed class ClientRestart : Scenario
{
    public override string Name => "f1-client-restart";

    public override string Description => "kill -9 a simulator and restart it with the same container id";

    /// A grace period far beyond the deadline: only the new incarnation can explain a prompt cleanup.
    protected override ScenarioSettings Adjust(ScenarioSettings settings) =>
        settings with { DisconnectGrace = settings.Deadline * 4 };

    protected override async Task RunAsync(Installation installation, ScenarioReport report)
    {
        var pair = await TwoSimulators.StartAsync(installation);
        var (a, wiring, note) = (pair.A, pair.Wiring, pair.Constrained);
        report.Measured("baseline: links carry a fresh value, nothing broken", await installation.UntilLinksFlowAsync(wiring.Links, Now()));
        var before = await installation.RevisionAsync();

        await a.KillAsync();
        a.Start();
        var restarted = Now();

        var cleaned = await installation.UntilAsync(async () =>
            (await installation.EventsAfterAsync(before)).Any(e => ChangeEvents.IsDeleteOf(e, "ect.Component", "sim-a")),
            "the old incarnation's components are deleted");
        report.Require(cleaned < installation.Settings.DisconnectGrace, $"the old components deleted at the new incarnation ({cleaned.TotalMilliseconds:0} ms), not after the grace period");
        var links = await installation.UntilLinksFlowAsync(wiring.Links, restarted);
        report.Measured("links flow after the simulator restarts", links);
        await MeasuredSinceReconnectedAsync(report, [a], restarted, links);
        var constant = await installation.UntilAsync(async () => await pair.ConstantAppliedAsync(installation)
            && a.Process!.Output.Contains($"launched Counter {note}", StringComparison.Ordinal), "the constant is applied again");
        report.Measured("constant re-applied after the simulator restarts", Since(restarted));
        report.Checked($"constant re-applied ({constant.TotalMilliseconds:0} ms after the links)");
        await installation.CheckLiveAsync(report, pair.Requests);
        var events = await installation.EventsAfterAsync(before);
        report.Require(events.Any(e => ChangeEvents.IsDeleteOf(e, "ect.Container", "sim-a")) && events.Any(e => e.GetProperty("kind").GetString() == "added" && ChangeEvents.Is(e, "ect.Container", "sim-a")),
            "the old container item deleted and the new one added");
    }
}
