using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

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
        var synced = new System.Collections.Concurrent.ConcurrentBag<long>();
        foreach (var client in installation.Clients)
        {
            client.StateChanged += change =>
            {
                if (change.State == Equip.Client.EquipConnectionState.Connected)
                {
                    synced.Add(Stopwatch.GetTimestamp());
                }
            };
        }
        var (stop, start) = await server.RestartAsync();
        var healthy = Stopwatch.GetTimestamp();
        long flowing;
        try
        {
            flowing = await FlowAsync(installation, links, AfterRestart, TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException stuck)
        {
            throw new TimeoutException($"{stuck.Message} Clients connected: {installation.Clients.Count(c => c.State == Equip.Client.EquipConnectionState.Connected)}, with writes pending: {installation.Clients.Count(c => c.PendingChanges > 0)}. Server log: {server.LastLog(15)}");
        }
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
            // When the devices were back (registered and synced), from /health: the spread of
            // their returns is their reconnect backoff plus the server's work.
            syncedMs = SyncedAfter(healthy, synced),
        };
    }

    private static object SyncedAfter(long healthy, IEnumerable<long> synced)
    {
        var after = new Latencies([.. synced.Select(t => Stopwatch.GetElapsedTime(healthy, t).TotalMicroseconds)]);
        double Ms(double us) => Math.Round(us / 1000);
        return new { count = after.Count, p10 = Ms(after.Percentile(0.1)), p50 = Ms(after.Percentile(0.5)), p90 = Ms(after.Percentile(0.9)), last = Ms(after.MaxUs) };
    }

    /// Sets a fresh value on every source once (a device that is not connected yet queues it and
    /// sends it when it is), then waits until every destination has it; returns when the last one
    /// had it. Nothing is set twice: a link whose destination comes back later gets the source's
    /// value pushed by the link engine, as it must.
    internal static async Task<long> FlowAsync(Installation installation, (Guid From, Guid To)[] links, double floor, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        foreach (var (from, _) in links)
        {
            installation.Level(from).Value.Value = floor + 1;
        }
        var pending = links.ToList();
        while (pending.Count > 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{pending.Count} of {links.Length} links did not carry a value within {timeout}: {await DiagnoseAsync(installation, pending, floor)}");
            }
            await Task.Delay(20);
            pending.RemoveAll(l => installation.Level(l.To).Value.Value >= floor);
        }
        return Stopwatch.GetTimestamp();
    }

    /// What the server says of a few of the links that did not flow, and what their ends hold.
    private static async Task<string> DiagnoseAsync(Installation installation, List<(Guid From, Guid To)> stuck, double floor)
    {
        var links = await installation.Http.GetFromJsonAsync<JsonElement[]>("/api/links") ?? [];
        var byEnds = links.ToDictionary(
            l => (l.GetProperty("source").GetProperty("componentRequestId").GetGuid(), l.GetProperty("destination").GetProperty("componentRequestId").GetGuid()));
        return string.Join("; ", stuck.Take(5).Select(l =>
            $"link {(byEnds.TryGetValue(l, out var link) ? link.GetRawText() : "unknown")}, source holds {installation.Level(l.From).Value.Value}, destination holds {installation.Level(l.To).Value.Value} (wanted >= {floor})"));
    }
}
