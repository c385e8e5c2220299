using System.Diagnostics;

namespace Equip.Scenarios.Harness;

/// One failure scenario: builds an installation, injects its fault into the real processes,
/// checks what must (not) happen, and measures the time to recover.
public abstract class Scenario
{
    /// The name the tool and the tests use, such as "f1-client-restart".
    public abstract string Name { get; }

    public abstract string Description { get; }

    /// Runs the scenario on a fresh installation; throws ScenarioFailedException when the
    /// installation misbehaves (with the tail of the server's output).
    public async Task<ScenarioReport> RunAsync(ScenarioSettings settings, TextWriter log)
    {
        var report = new ScenarioReport(Name, settings.Provider);
        await using var installation = await Installation.CreateAsync(Adjust(settings), log);
        try
        {
            await RunAsync(installation, report);
        }
        catch (Exception error) when (error is ScenarioFailedException or TimeoutException or HttpRequestException)
        {
            throw new ScenarioFailedException($"{error.Message}\n--- checks passed: {string.Join("; ", report.Checks)}\n--- server output (tail):\n{Tail(installation.ServerOutput)}\n--- simulators:\n{string.Join("\n", installation.Simulators.Select(s => $"[{s.ContainerId}]\n{Tail(s.Process?.Output, 15)}"))}");
        }
        return report;
    }

    /// Settings this scenario needs beyond the given ones (such as a longer grace period).
    protected virtual ScenarioSettings Adjust(ScenarioSettings settings) => settings;

    protected abstract Task RunAsync(Installation installation, ScenarioReport report);

    protected static long Now() => Stopwatch.GetTimestamp();

    /// Reports how long after the simulators' clients said "connection Connected" (registered,
    /// re-asserted and synchronised) again the links flowed: the server's part of the recovery,
    /// without the time the devices took to come back. A device may say so only after its links
    /// already flow (its components work before its re-synchronisation ends): that counts as 0.
    protected static async Task MeasuredSinceReconnectedAsync(ScenarioReport report, IEnumerable<Simulator> simulators, long since, TimeSpan flowed)
    {
        var waiting = simulators.ToList();
        var deadline = Stopwatch.GetTimestamp() + 5 * Stopwatch.Frequency;
        long Reconnected(Simulator s) => s.Process?.LastSeen("connection Connected") ?? 0;
        while (waiting.Any(s => Reconnected(s) <= since) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }
        if (waiting.Count > 0 && waiting.All(s => Reconnected(s) > since))
        {
            var after = flowed - Stopwatch.GetElapsedTime(since, waiting.Max(Reconnected));
            report.Measured("links flow after the last device reported connected (0: before)", after > TimeSpan.Zero ? after : TimeSpan.Zero);
        }
    }

    protected static TimeSpan Since(long timestamp) => Stopwatch.GetElapsedTime(timestamp);

    private static string Tail(string? text, int lines = 40) =>
        text is null ? "(none)" : string.Join("\n", text.Split('\n').TakeLast(lines));
}
