using System.Diagnostics;
using Equip.Testing;

namespace Equip.Bench.Scenarios;

/// A leader and a follower on the bench's PostgreSQL (docs/scaling.md), the devices spread over
/// both, links between devices on different nodes. The leader is killed -9; the follower takes
/// the lock and restarts to lead (exit 75), and the bench, as its supervisor, starts it again
/// where it was. The clock runs from the kill until the new leader acknowledges a durable write
/// and until a new value has crossed every link.
internal static class FollowerFailover
{
    public static async Task<object> RunAsync(BenchStores stores, int devices, string lockTimeout = "00:00:02")
    {
        Report.Progress($"failover with a follower: {devices} devices spread over two nodes");
        var (settings, directory) = await stores.CreateAsync("postgres", Failover.ClusterSettings(lockTimeout));
        int portA = PrivatePostgres.FreePort(), portB = PrivatePostgres.FreePort();
        var leader = await ServerProcess.StartAsync(Node(settings, "node-a", portA), directory, TimeSpan.FromSeconds(120), portA);
        var follower = await ServerProcess.StartAsync(Node(settings, "node-b", portB), directory, TimeSpan.FromSeconds(120), portB);
        try
        {
            await using var installation = await Installation.StartSpreadAsync([leader.Address, follower.Address], devices);
            var requests = await installation.AddComponentsAsync([.. Enumerable.Range(0, devices * 2).Select(i => i / 2)]);
            var links = Enumerable.Range(0, devices).Select(d => (From: requests[d * 2], To: requests[(d + 1) % devices * 2 + 1])).ToArray();
            await installation.LinkAsync(links);
            await ReconnectStorm.FlowAsync(installation, links, 1, TimeSpan.FromMinutes(2));

            Report.Progress("failover with a follower: kill -9 of the leader");
            var killed = Stopwatch.GetTimestamp();
            await leader.KillAsync();
            await follower.WaitForExitAsync(TimeSpan.FromSeconds(60));
            var tookOver = Stopwatch.GetElapsedTime(killed).TotalMilliseconds;
            await follower.DisposeAsync();
            follower = ServerProcess.Launch(Node(settings, "node-b", portB), directory, portB);
            var (_, firstWrite, flowing) = await Failover.MeasureAsync("kill-with-follower", killed, follower.Address, installation, links, 3_000_000);
            return new
            {
                scenario = "failover",
                system = "equip",
                store = "postgres",
                fault = "kill-with-follower",
                lockTimeout,
                devices,
                links = links.Length,
                followerExitedMs = Math.Round(tookOver),
                firstWriteMs = Math.Round(firstWrite),
                allLinksFlowingMs = Math.Round(flowing),
            };
        }
        finally
        {
            await leader.DisposeAsync();
            await follower.DisposeAsync();
        }
    }

    private static Dictionary<string, string> Node(Dictionary<string, string> settings, string nodeId, int port) => new(settings)
    {
        ["Equip:Cluster:NodeId"] = nodeId,
        ["Equip:Cluster:AdvertisedUrl"] = $"http://127.0.0.1:{port}",
    };
}
