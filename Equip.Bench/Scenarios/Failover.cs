using System.Diagnostics;
using System.Net.Http.Json;
using Equip.Testing;

namespace Equip.Bench.Scenarios;

/// Two nodes of a cluster on the bench's PostgreSQL (docs/scaling.md): devices with components and
/// links between devices, each device given both nodes' addresses. The leader is killed -9 (then,
/// with the first node back as a standby, the new leader is stopped with SIGSTOP), and the clock
/// runs from the fault until the new leader acknowledges a durable write and until a new value
/// has crossed every link.
internal static class Failover
{
    private const double AfterKill = 1_000_000, AfterStop = 2_000_000;

    public static async Task<object[]> RunAsync(BenchStores stores, int devices, string lockTimeout = "00:00:02")
    {
        Report.Progress($"failover: {devices} devices on two nodes");
        var (settings, directory) = await stores.CreateAsync("postgres", ClusterSettings(lockTimeout));
        var first = await ServerProcess.StartAsync(With(settings, "node-a"), directory);
        var second = ServerProcess.Launch(With(settings, "node-b"), directory);
        try
        {
            await second.WaitForOutputAsync("stands by").WaitAsync(TimeSpan.FromSeconds(60));
            await using var installation = await Installation.StartAsync(first.Address, devices, [second.Address]);
            var requests = await installation.AddComponentsAsync([.. Enumerable.Range(0, devices * 2).Select(i => i / 2)]);
            var links = Enumerable.Range(0, devices).Select(d => (From: requests[d * 2], To: requests[(d + 1) % devices * 2 + 1])).ToArray();
            await installation.LinkAsync(links);
            await ReconnectStorm.FlowAsync(installation, links, 1, TimeSpan.FromMinutes(2));

            Report.Progress("failover: kill -9 of the leader");
            var killed = Stopwatch.GetTimestamp();
            await first.KillAsync();
            var kill = await MeasureAsync("kill", killed, second.Address, installation, links, AfterKill);

            Report.Progress("failover: the first node back as a standby, SIGSTOP of the leader");
            await first.DisposeAsync();
            first = ServerProcess.Launch(With(settings, "node-a"), directory, first.Address.Port); // where the devices look for it
            await first.WaitForOutputAsync("stands by").WaitAsync(TimeSpan.FromSeconds(60));
            var stopped = Stopwatch.GetTimestamp();
            await second.SignalAsync("STOP");
            var stop = await MeasureAsync("sigstop", stopped, first.Address, installation, links, AfterStop);
            await second.SignalAsync("CONT");
            return [With(kill, devices, links.Length, lockTimeout), With(stop, devices, links.Length, lockTimeout)];
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }
    }

    /// The server's bench settings, clustered, with quick timings.
    public static Dictionary<string, string> ClusterSettings(string lockTimeout) => new(BenchKey.ServerDefaults)
    {
        ["Equip:Cluster:Enabled"] = "true",
        ["Equip:Cluster:LockTimeout"] = lockTimeout,
        ["Equip:Cluster:StandbyPoll"] = "00:00:00.100",
        ["Logging:LogLevel:Equip.Infrastructure.Cluster"] = "Information",
    };

    private static Dictionary<string, string> With(Dictionary<string, string> settings, string nodeId) =>
        new(settings) { ["Equip:Cluster:NodeId"] = nodeId };

    private static object With((string Fault, double FirstWriteMs, double FlowingMs) measured, int devices, int links, string lockTimeout) => new
    {
        scenario = "failover",
        system = "equip",
        store = "postgres",
        fault = measured.Fault,
        lockTimeout,
        devices,
        links,
        firstWriteMs = Math.Round(measured.FirstWriteMs),
        allLinksFlowingMs = Math.Round(measured.FlowingMs),
    };

    /// From the fault: until the new leader acknowledges a durable write (tried every 20 ms), and
    /// until a value set after the fault has crossed every link.
    public static async Task<(string, double, double)> MeasureAsync(string fault, long at, Uri next, Installation installation, (Guid From, Guid To)[] links, double floor)
    {
        using var http = TestHttp.Client(next, TimeSpan.FromSeconds(2), BenchKey.Value);
        var deadline = at + 120 * Stopwatch.Frequency;
        while (true)
        {
            try
            {
                if ((await http.PostAsJsonAsync("/api/items", new { type = "bench.Failover", fields = new { fault } })).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (Exception unreachable) when (unreachable is HttpRequestException or TaskCanceledException)
            {
            }
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"No write was acknowledged within 120 s of the {fault}.");
            }
            await Task.Delay(20);
        }
        var written = Stopwatch.GetElapsedTime(at).TotalMilliseconds;
        var flowing = await ReconnectStorm.FlowAsync(installation, links, floor, TimeSpan.FromMinutes(2));
        return (fault, written, Stopwatch.GetElapsedTime(at, flowing).TotalMilliseconds);
    }
}
