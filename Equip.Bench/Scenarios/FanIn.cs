
namespace Equip.Bench.Scenarios;

/// Fan-in: many devices whose readings change at a steady rate, linked onto few displays. 200
/// Sensor components (10 numbers each, one container and connection per device) are linked one
/// to one onto the 2,000 inputs of 20 Boards (100 numbers each, one container per display);
/// every device sets all its readings 50 times a second (100,000 values/s offered), whether or
/// not the server keeps up: a value set before the previous one left the device takes its place
/// (squashed), as a sensor's would. Counted at the displays: values applied, squashed, lost
/// (neither applied nor superseded once the devices stop), out of order. Meanwhile one unrelated
/// link, on connections of its own, is hopped one value at a time.
internal static class FanIn
{
    public const int Devices = 200;
    public const int Displays = 20;
    public const int PerSecond = 50;

    public static async Task<object> RunAsync(BenchServer server, BenchOptions options)
    {
        await using var probe = await HopProbe.StartAsync(server.Address);
        await using var installation = await Installation.StartAsync(server.Address, containers: Devices + Displays);
        var sensors = await installation.AddComponentsAsync([.. Enumerable.Range(0, Devices)], "Sensor");
        var boards = await installation.AddComponentsAsync([.. Enumerable.Range(Devices, Displays)], "Board");
        var readings = sensors.Length * Sensor.Count;
        var tracks = Enumerable.Range(0, readings).Select(_ => new SequenceTrack()).ToArray();
        await installation.LinkAsync([.. Enumerable.Range(0, readings).Select(r =>
            (sensors[r / Sensor.Count], $"reading{r % Sensor.Count}", boards[r / Board.Count], $"input{r % Board.Count}"))]);
        var stretch = new MeasuredStretch();
        for (var r = 0; r < readings; r++)
        {
            var track = tracks[r];
            installation.Component<Board>(boards[r / Board.Count]).Inputs[r % Board.Count].Changed += value => track.Receive((long)value, stretch.Measuring);
        }
        var devices = Enumerable.Range(0, Devices).Select(d => new FanInDevice(installation.Component<Sensor>(sensors[d]), tracks.AsSpan(d * Sensor.Count, Sensor.Count).ToArray())).ToArray();
        await FirstValuesAsync(devices, tracks);

        using var stop = new CancellationTokenSource();
        var sending = devices.Select(d => Task.Run(() => d.RunAsync(stop.Token))).ToArray();
        var hops = new List<double>();
        using var measured = new CancellationTokenSource();
        var hopping = Task.Run(async () =>
        {
            while (!measured.IsCancellationRequested)
            {
                var hop = await probe.HopAsync();
                if (stretch.Measuring)
                {
                    hops.Add(hop);
                }
            }
        });
        string[] counters = ["equip_events_total", "equip_link_propagations_total"];
        double?[] before = [], after = [];
        long offeredBefore = 0, offeredAfter = 0;
        await stretch.RunAsync(options, () => server.ProcessorTime,
            async () => { offeredBefore = devices.Sum(d => d.Offered); before = await ServerCounters.ReadAsync(installation.Http, counters); },
            async () => { offeredAfter = devices.Sum(d => d.Offered); after = await ServerCounters.ReadAsync(installation.Http, counters); });
        await measured.CancelAsync();
        await hopping;
        await stop.CancelAsync();
        await Task.WhenAll(sending);
        var lost = await LinkThroughput.DrainAsync(tracks, seconds: 10);
        var applied = tracks.Sum(t => t.Applied);
        var latencies = new Latencies([.. tracks.SelectMany(t => t.LatenciesUs)]);
        var hop = new Latencies(hops);
        return new Dictionary<string, object?>
        {
            ["scenario"] = "fan-in",
            ["system"] = "equip",
            ["store"] = server.Store,
            ["devices"] = Devices,
            ["links"] = readings,
            ["displays"] = Displays,
            ["offeredPerSec"] = Math.Round((offeredAfter - offeredBefore) / stretch.Seconds),
            ["appliedPerSec"] = Math.Round(applied / stretch.Seconds),
            ["squashedPerSec"] = Math.Round(tracks.Sum(t => t.Squashed) / stretch.Seconds),
            ["lost"] = lost,
            ["outOfOrder"] = tracks.Sum(t => t.OutOfOrder),
            ["p50Us"] = latencies.P50Us,
            ["p99Us"] = latencies.P99Us,
            ["serverCpuUsPerValue"] = stretch.ProcessorTime is { } cpu && applied > 0 ? Math.Round(cpu.TotalMicroseconds / applied, 1) : null,
            ["serverEventsPerSec"] = before.Length > 0 && before[0] is { } e0 && after[0] is { } e1 ? Math.Round((e1 - e0) / stretch.Seconds) : null,
            ["unrelatedHops"] = hop.Count,
            ["unrelatedHopP50Us"] = hop.P50Us,
            ["unrelatedHopP99Us"] = hop.P99Us,
        };
    }

    /// Each link carries a first value before the clock starts: the engine has seen both ends.
    private static async Task FirstValuesAsync(FanInDevice[] devices, SequenceTrack[] tracks)
    {
        foreach (var device in devices)
        {
            device.Tick();
        }
        await Installation.UntilAsync(() => tracks.All(t => t.Outstanding == 0), "every fan-in link carries its first value", TimeSpan.FromSeconds(120));
    }
}
