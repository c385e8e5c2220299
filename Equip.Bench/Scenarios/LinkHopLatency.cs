using System.Diagnostics;

namespace Equip.Bench.Scenarios;

/// One source and one linked destination, each in its own container on its own connection: set
/// the source, wait until the destination's container has applied the value; hops one at a time,
/// after a warm-up (device -> hub -> link engine -> hub -> device).
internal static class LinkHopLatency
{
    public static async Task<object> RunAsync(BenchServer server, BenchOptions options)
    {
        await using var installation = await Installation.StartAsync(server.Address, containers: 2);
        var requests = await installation.AddComponentsAsync([0, 1]);
        await installation.LinkAsync([(requests[0], requests[1])]);
        var source = installation.Level(requests[0]);
        var destination = installation.Level(requests[1]);

        var expected = 0.0;
        TaskCompletionSource arrived = new();
        destination.Value.Changed += value =>
        {
            if (value == Volatile.Read(ref expected))
            {
                arrived.TrySetResult();
            }
        };
        async Task<double> HopAsync(long value)
        {
            arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref expected, value);
            var started = Stopwatch.GetTimestamp();
            source.Value.Value = value;
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return Latencies.Us(started);
        }
        // The link becomes active once the engine has seen both ends: the first value waits for it.
        await HopAsync(-1);
        var latencies = await Latencies.OfHopsAsync(HopAsync, options);
        var calls = await HubCallsAsync(installation.Clients[0], 2000);
        return new
        {
            scenario = "link-hop-latency",
            system = "equip",
            store = server.Store,
            hops = latencies.Count,
            p50Us = latencies.P50Us,
            p99Us = latencies.P99Us,
            meanUs = latencies.MeanUs,
            // One Get answered from memory over the same kind of connection: the floor of one
            // round trip through SignalR here; a hop makes two writes and two deliveries.
            hubCallP50Us = calls.P50Us,
            hubCallP99Us = calls.P99Us,
        };
    }

    private static async Task<Latencies> HubCallsAsync(Equip.Client.EquipClient client, int calls)
    {
        var measured = new List<double>(calls);
        for (var call = 0; call < calls; call++)
        {
            var started = Stopwatch.GetTimestamp();
            await client.GetAsync(Guid.Empty);
            measured.Add(Latencies.Us(started));
        }
        return new Latencies(measured.Skip(calls / 5).ToList()); // the first fifth warms up
    }
}
