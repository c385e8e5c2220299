using Microsoft.AspNetCore.SignalR.Client;

namespace Equip.Bench.Scenarios;

/// Idle device connections (registered, pinging every 3 s as the protocol asks), opened in steps:
/// the server's resident memory at each step, and what each connection added to it.
internal static class IdleConnections
{
    public static async Task<object[]> RunAsync(BenchServer server, int[] steps)
    {
        if (server.ResidentBytes is null)
        {
            return [new { scenario = "connections", system = "equip", store = server.Store, skipped = "the server's memory cannot be read: start it from the bench, or give --server-pid" }];
        }
        var run = Guid.NewGuid().ToString("N")[..6];
        await Settle();
        var baseline = server.ResidentBytes!.Value;
        var connections = new List<HubConnection>();
        var results = new List<object>();
        try
        {
            foreach (var step in steps.Order())
            {
                var from = connections.Count;
                var opened = new HubConnection[step - from];
                await Parallel.ForAsync(from, step, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, token) =>
                    opened[i - from] = await RawPeer.ConnectAsync(server.Address, $"bench-{run}-idle-{i}", TimeSpan.FromSeconds(3), token));
                connections.AddRange(opened);
                await Settle();
                var resident = server.ResidentBytes!.Value;
                results.Add(new
                {
                    scenario = "connections",
                    system = "equip",
                    store = server.Store,
                    connections = connections.Count,
                    open = connections.Count(c => c.State == HubConnectionState.Connected),
                    serverRssMiB = Math.Round(resident / 1048576.0, 1),
                    baselineRssMiB = Math.Round(baseline / 1048576.0, 1),
                    perConnectionKiB = Math.Round((resident - baseline) / 1024.0 / connections.Count, 1),
                });
                Report.Progress($"{connections.Count} idle connections: server RSS {resident / 1048576} MiB");
            }
        }
        finally
        {
            await Parallel.ForEachAsync(connections, async (c, _) => await c.DisposeAsync());
        }
        return [.. results];
    }

    /// Long enough for a few keep-alive rounds, so what is measured is the idle state.
    private static Task Settle() => Task.Delay(TimeSpan.FromSeconds(8));
}
