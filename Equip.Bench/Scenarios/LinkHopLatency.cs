using System.Diagnostics;

namespace Equip.Bench.Scenarios;

/// Link hops one at a time, after a warm-up (see HopProbe), and one hub call's round trip beside
/// them: the measured hops go in blocks of 50, each followed by 50 `Get`s, so that both see the
/// machine as it is at the time (a `Get` measured only after all the hops swung from run to run
/// with whatever the machine did in those seconds).
internal static class LinkHopLatency
{
    private const int Block = 50;

    public static async Task<object> RunAsync(BenchServer server, BenchOptions options)
    {
        await using var probe = await HopProbe.StartAsync(server.Address);
        var client = probe.Installation.Clients[0];
        var property = probe.DestinationItem;
        var calls = new List<double>(options.Hops);
        var itemCalls = new List<double>(options.Hops);
        var latencies = await Latencies.OfHopsAsync(async n =>
        {
            var hop = await probe.HopAsync();
            if (n % Block == 0)
            {
                await GetsAsync(client, Guid.Empty, calls);
                await GetsAsync(client, property, itemCalls);
            }
            return hop;
        }, options);
        // The last options.Hops `Get`s: the warm-up's went before them.
        var get = new Latencies(calls[^Math.Min(calls.Count, options.Hops)..]);
        var getItem = new Latencies(itemCalls[^Math.Min(itemCalls.Count, options.Hops)..]);
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
            hubCallP50Us = get.P50Us,
            hubCallP99Us = get.P99Us,
            // The same Get of the destination's property item: an answer that carries what the
            // hop carries (the item, its value) instead of nothing.
            hubGetItemP50Us = getItem.P50Us,
            hubGetItemP99Us = getItem.P99Us,
        };
    }

    /// A block of `Get`s of the item, each one's round trip added to the list.
    private static async Task GetsAsync(Equip.Client.EquipClient client, Guid id, List<double> into)
    {
        for (var call = 0; call < Block; call++)
        {
            var started = Stopwatch.GetTimestamp();
            await client.GetAsync(id);
            into.Add(Latencies.Us(started));
        }
    }
}
