using System.Diagnostics;

namespace Equip.Bench.Scenarios;

/// Devices (containers, each on its own connection) with components and links between devices;
/// the server is restarted (SIGTERM, then started again on the same store and port), and the
/// clock runs from the moment it answers /health again until a new value has crossed every link.
internal static class ReconnectStorm
{
    private const double AfterRestart = 1_000_000;

    public static async Task<object> RunAsync(BenchServer server, int devices, int componentsPerDevice = 5, int linksPerDevice = 2)
    {
        if (!server.CanRestart)
        {
            return new { scenario = "reconnect-storm", system = "equip", store = server.Store, skipped = "needs a server the bench starts (it restarts it)" };
        }
        Report.Progress($"reconnect-storm: {devices} devices, {devices * componentsPerDevice} components");
        await using var installation = await Installation.StartAsync(server.Address, devices);
        var requests = await installation.AddComponentsAsync([.. Enumerable.Range(0, devices * componentsPerDevice).Select(i => i / componentsPerDevice)]);
        // Component 2k of each device feeds component 2k+1 of the next device.
        var links = Enumerable.Range(0, devices).SelectMany(d => Enumerable.Range(0, linksPerDevice).Select(k =>
            (From: requests[d * componentsPerDevice + 2 * k], To: requests[(d + 1) % devices * componentsPerDevice + 2 * k + 1]))).ToArray();
        Report.Progress($"reconnect-storm: {links.Length} links");
        await installation.LinkAsync(links);
        await FlowAsync(installation, links, 1, TimeSpan.FromMinutes(3));

        Report.Progress("reconnect-storm: restarting the server");
        var (stop, start) = await server.RestartAsync();
        var healthy = Stopwatch.GetTimestamp();
        var flowing = await FlowAsync(installation, links, AfterRestart, TimeSpan.FromMinutes(2));
        return new
        {
            scenario = "reconnect-storm",
            system = "equip",
            store = server.Store,
            devices,
            components = requests.Length,
            links = links.Length,
            stopMs = Math.Round(stop.TotalMilliseconds),
            startMs = Math.Round(start.TotalMilliseconds),
            allLinksFlowingMs = Math.Round(Stopwatch.GetElapsedTime(healthy, flowing).TotalMilliseconds),
            connected = installation.Clients.Count(c => c.State == Equip.Client.EquipConnectionState.Connected),
        };
    }

    /// Sets a fresh value on every source whose link has not yet carried one at or above `floor`,
    /// every 100 ms, until every destination has; returns when the last one had it.
    private static async Task<long> FlowAsync(Installation installation, (Guid From, Guid To)[] links, double floor, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var pending = links.ToList();
        for (var round = 0; pending.Count > 0; round++)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{pending.Count} of {links.Length} links did not carry a value within {timeout}.");
            }
            if (round % 5 == 0)
            {
                foreach (var (from, _) in pending)
                {
                    installation.Level(from).Value.Value = floor + round;
                }
            }
            await Task.Delay(20);
            pending.RemoveAll(l => installation.Level(l.To).Value.Value >= floor);
        }
        return Stopwatch.GetTimestamp();
    }
}
