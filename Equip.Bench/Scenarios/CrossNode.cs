using System.Diagnostics;
using Equip.Testing;

namespace Equip.Bench.Scenarios;

/// Several nodes (docs/scaling.md) on the bench's PostgreSQL: a leader and followers. A link hop
/// with both ends on the leader beside one whose destination is on a follower (device -> leader ->
/// stream -> follower -> device), durable writes by 16 writers through the leader and through
/// the follower, and the leader's CPU per value it applies with 0, 1 and 2 followers reading its
/// stream, the same load each time.
internal static class CrossNode
{
    private static readonly TimeSpan Stretch = TimeSpan.FromSeconds(15);

    public static async Task<object[]> RunAsync(BenchStores stores, BenchOptions options)
    {
        var (settings, directory) = await stores.CreateAsync("postgres", Failover.ClusterSettings("00:00:05"));
        var nodes = new List<ServerProcess>();
        try
        {
            var leader = await NodeAsync(settings, directory, "node-a");
            nodes.Add(leader);
            nodes.Add(await NodeAsync(settings, directory, "node-b"));
            var results = new List<object>();
            Report.Progress("cross-node: link hops, same node and across nodes");
            Latencies same, across;
            await using (var probe = await HopProbe.StartAsync([leader.Address, leader.Address]))
            {
                same = await probe.MeasureAsync(options);
            }
            await using (var probe = await HopProbe.StartAsync([leader.Address, nodes[1].Address]))
            {
                across = await probe.MeasureAsync(options);
            }
            results.Add(new
            {
                scenario = "cross-node-hop",
                system = "equip",
                store = "postgres",
                hops = across.Count,
                sameNodeP50Us = same.P50Us,
                sameNodeP99Us = same.P99Us,
                crossNodeP50Us = across.P50Us,
                crossNodeP99Us = across.P99Us,
            });
            Report.Progress("cross-node: durable writes through the leader and through the follower");
            foreach (var (node, address) in new[] { ("leader", leader.Address), ("follower", nodes[1].Address) })
            {
                foreach (var transport in new[] { "rest", "hub" })
                {
                    var written = await DurableWrites.RunAsync(address, "postgres", options, transport, 16);
                    results.Add(new { scenario = "cross-node-durable-writes", node, result = written });
                }
            }
            // The leader is warm by now (its code compiled at its last tier): its CPU per value
            // without a follower, then with one and two.
            await nodes[1].KillAsync();
            results.Add(await LeaderCpuAsync(leader, followers: 0));
            nodes.Add(await NodeAsync(settings, directory, "node-c"));
            results.Add(await LeaderCpuAsync(leader, followers: 1));
            nodes.Add(await NodeAsync(settings, directory, "node-d"));
            results.Add(await LeaderCpuAsync(leader, followers: 2));
            return [.. results];
        }
        finally
        {
            foreach (var node in Enumerable.Reverse(nodes))
            {
                await node.DisposeAsync();
            }
        }
    }

    /// A node advertising its address: the first leads, the others follow it (and answer /health
    /// once they have caught up).
    private static Task<ServerProcess> NodeAsync(Dictionary<string, string> settings, string directory, string nodeId)
    {
        var port = PrivatePostgres.FreePort();
        var node = new Dictionary<string, string>(settings)
        {
            ["Equip:Cluster:NodeId"] = nodeId,
            ["Equip:Cluster:AdvertisedUrl"] = $"http://127.0.0.1:{port}",
            ["Equip:DataDirectory"] = Directory.CreateTempSubdirectory($"equip-bench-{nodeId}-").FullName,
        };
        return ServerProcess.StartAsync(node, directory, TimeSpan.FromSeconds(120), port);
    }

    /// Eight devices on the leader, each setting its component's value about once a millisecond
    /// for the stretch (the same offered load whatever the followers); the leader's CPU time over
    /// it per value applied (each applied value takes a revision).
    private static async Task<object> LeaderCpuAsync(ServerProcess leader, int followers)
    {
        Report.Progress($"cross-node: the leader's CPU per value with {followers} followers");
        await using var installation = await Installation.StartAsync(leader.Address, containers: 8);
        var levels = (await installation.AddComponentsAsync(8)).Select(installation.Level).ToArray();
        var from = await installation.RevisionAsync();
        var until = Stopwatch.GetTimestamp() + (long)(Stretch.TotalSeconds * Stopwatch.Frequency);
        var cpu = leader.ProcessorTime;
        await Task.WhenAll(levels.Select(async level =>
        {
            for (var n = 1; Stopwatch.GetTimestamp() < until; n++)
            {
                level.Value.Value = n;
                await Task.Delay(1);
            }
        }));
        await Task.Delay(500); // the last values applied
        var used = leader.ProcessorTime - cpu;
        var applied = await installation.RevisionAsync() - from;
        return new
        {
            scenario = "cross-node-leader-cpu",
            system = "equip",
            store = "postgres",
            followers,
            applied,
            appliedPerSecond = Math.Round(applied / Stretch.TotalSeconds),
            leaderCpuUsPerValue = Math.Round(used.TotalMicroseconds / applied, 1),
        };
    }
}
