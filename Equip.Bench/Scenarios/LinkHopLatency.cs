using System.Diagnostics;

namespace Equip.Bench.Scenarios;

/// Link hops one at a time, after a warm-up (see HopProbe), and one hub call's round trip beside them.
internal static class LinkHopLatency
{
    public static async Task<object> RunAsync(BenchServer server, BenchOptions options)
    {
        await using var probe = await HopProbe.StartAsync(server.Address);
        var latencies = await probe.MeasureAsync(options);
        var calls = await HubCallsAsync(probe.Installation.Clients[0], 2000);
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
