using System.Diagnostics;

namespace Equip.Bench.Scenarios;

/// A warm-up, then a measured stretch: how long it lasted, and the processor time the server (or
/// broker) spent in it; while it runs, Measuring says whether what happens now counts.
internal sealed class MeasuredStretch
{
    private volatile bool _measuring;

    public bool Measuring => _measuring;

    public double Seconds { get; private set; }

    public TimeSpan? ProcessorTime { get; private set; }

    public async Task RunAsync(BenchOptions options, Func<TimeSpan?> processorTime, Func<Task>? atStart = null, Func<Task>? atEnd = null)
    {
        // The scrape at the start is made once during the warm-up too: the first one compiles
        // the server's exporter code (and its promotion to optimised code follows it), which took
        // a fifth of the server's processor time in the first seconds of the measured stretch.
        await (atStart?.Invoke() ?? Task.CompletedTask);
        await Task.Delay(TimeSpan.FromSeconds(options.Warmup));
        await (atStart?.Invoke() ?? Task.CompletedTask);
        var cpu = processorTime();
        var started = Stopwatch.GetTimestamp();
        _measuring = true;
        await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
        _measuring = false;
        Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        ProcessorTime = processorTime() - cpu;
        await (atEnd?.Invoke() ?? Task.CompletedTask);
    }
}
