using System.Diagnostics;

namespace Equip.Bench.Scenarios;

/// Many links at once, each from its own source container (connection) to its own destination
/// container, each keeping a window of values sent and not yet applied; a warm-up, then a
/// measured stretch. A value superseded by a newer one before delivery is squashed (reported
/// apart); one neither applied nor superseded once the senders stop is lost.
internal static class LinkThroughput
{
    public static async Task<object> RunAsync(BenchServer server, BenchOptions options)
    {
        var links = options.Links;
        await using var installation = await Installation.StartAsync(server.Address, containers: 2 * links);
        var requests = await installation.AddComponentsAsync([.. Enumerable.Range(0, 2 * links)]);
        await installation.LinkAsync([.. Enumerable.Range(0, links).Select(i => (requests[i], requests[links + i]))]);
        var windows = Enumerable.Range(0, links).Select(_ => new LinkWindow(options.Window)).ToArray();
        var stretch = new MeasuredStretch();
        for (var i = 0; i < links; i++)
        {
            var window = windows[i];
            installation.Level(requests[links + i]).Value.Changed += value => window.Receive(LinkWindow.Sequence(value), stretch.Measuring);
        }
        await FirstValuesAsync(installation, requests, links, windows);

        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, links).Select(i => Task.Run(() => SendAsync(installation.Level(requests[i]), windows[i], stop.Token))).ToArray();
        string[] counters = ["equip_events_total", "equip_link_propagations_total"];
        double?[] before = [], after = [];
        await stretch.RunAsync(options, () => server.ProcessorTime,
            async () => before = await ServerCounters.ReadAsync(installation.Http, counters),
            async () => after = await ServerCounters.ReadAsync(installation.Http, counters));
        await stop.CancelAsync();
        await Task.WhenAll(senders);
        var result = Result("equip", server.Store, windows, stretch, await DrainAsync(windows));
        // What the server did meanwhile: every value it took from a source and every value the
        // link engine wrote to a destination is an event.
        result["serverEventsPerSec"] = PerSecond(before[0], after[0], stretch);
        result["linkWritesPerSec"] = PerSecond(before[1], after[1], stretch);
        return result;
    }

    private static double? PerSecond(double? before, double? after, MeasuredStretch stretch) =>
        before is { } from && after is { } to ? Math.Round((to - from) / stretch.Seconds) : null;

    /// Values received, squashed and lost, with the server's processor time per value.
    public static Dictionary<string, object?> Result(string system, string store, LinkWindow[] windows, MeasuredStretch stretch, long lost)
    {
        var elapsed = stretch.Seconds;
        var applied = windows.Sum(w => w.Applied);
        var latencies = new Latencies([.. windows.SelectMany(w => w.LatenciesUs)]);
        return new Dictionary<string, object?>
        {
            ["scenario"] = "link-throughput",
            ["system"] = system,
            ["store"] = store,
            ["links"] = windows.Length,
            ["appliedPerSec"] = Math.Round(applied / elapsed),
            ["squashedPerSec"] = Math.Round(windows.Sum(w => w.Squashed) / elapsed),
            ["p50Us"] = latencies.P50Us,
            ["p99Us"] = latencies.P99Us,
            ["lost"] = lost,
            ["outOfOrder"] = windows.Sum(w => w.OutOfOrder),
            ["serverCpuUsPerValue"] = stretch.ProcessorTime is { } cpu && applied > 0 ? Math.Round(cpu.TotalMicroseconds / applied, 1) : null,
        };
    }

    /// Waits up to the seconds given for the last values sent to arrive; what has not arrived by
    /// then is lost.
    public static async Task<long> DrainAsync(IReadOnlyList<SequenceTrack> windows, int seconds = 5)
    {
        var deadline = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
        while (windows.Any(w => w.Outstanding > 0) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }
        return windows.Sum(w => w.Outstanding);
    }

    /// Sets the source as fast as the window lets it, waiting, as the MQTT publishers wait for
    /// their socket, while more values than the client sends at once are on their way
    /// (MaxValuesInFlight), or while the value just set waits in the client's queue to be sent:
    /// values set meanwhile would only take one another's place there, spending the processor
    /// the server needs.
    private static async Task SendAsync(Level source, LinkWindow window, CancellationToken stop)
    {
        var onTheirWay = new Queue<Task>();
        try
        {
            while (true)
            {
                var published = source.Value.SetAsync(LinkWindow.Number(await window.NextAsync(stop)));
                if (onTheirWay.TryPeek(out _) && onTheirWay.Last() == published)
                {
                    await published; // it joined a value still queued: the next one would too
                    continue;
                }
                onTheirWay.Enqueue(published);
                while (onTheirWay.Count > InFlight)
                {
                    await onTheirWay.Dequeue();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// As EquipClientOptions.MaxValuesInFlight.
    private const int InFlight = 32;

    /// Each link carries its first value before the clock starts: the engine has seen both ends.
    private static async Task FirstValuesAsync(Installation installation, Guid[] requests, int links, LinkWindow[] windows)
    {
        for (var i = 0; i < links; i++)
        {
            installation.Level(requests[i]).Value.Value = LinkWindow.Number(await windows[i].NextAsync(CancellationToken.None));
        }
        await Installation.UntilAsync(() => windows.All(w => w.Outstanding == 0), "every link carries its first value", TimeSpan.FromSeconds(60));
    }
}
