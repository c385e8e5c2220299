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
        return await ConnectionSteps.RunAsync("equip", server.Store, steps, () => server.ResidentBytes!.Value,
            (i, token) => RawPeer.ConnectAsync(server.Address, $"bench-{run}-idle-{i}", TimeSpan.FromSeconds(3), token),
            c => c.State == HubConnectionState.Connected,
            c => c.DisposeAsync());
    }
}
