using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Testing;

namespace Equip.Bench.Scenarios;

/// How long until a peer that stopped being there is `reconnecting`: its socket dropped (RST), or
/// gone silent with TCP left open (a pulled cable: the fault proxy holds every byte), once for a
/// peer that has been pinging and once for one that never sent a Ping after registering.
internal static class DisconnectDetection
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(3); // the server's default

    public static async Task<object[]> RunAsync(BenchServer server)
    {
        using var http = TestHttp.Client(server.Address, TimeSpan.FromSeconds(100), BenchKey.Value);
        var run = Guid.NewGuid().ToString("N")[..6];
        return
        [
            await CaseAsync(server, http, "socket-dropped", async proxy =>
            {
                var client = await ClientAsync(proxy, $"bench-{run}-dropped");
                return (() => proxy.Reset(), client.DisposeAsync);
            }, $"bench-{run}-dropped"),
            await CaseAsync(server, http, "silent-after-pings", async proxy =>
            {
                var client = await ClientAsync(proxy, $"bench-{run}-silent");
                await Task.Delay(KeepAlive + TimeSpan.FromSeconds(1)); // it has pinged at least once
                return (() => proxy.Blackhole(), client.DisposeAsync);
            }, $"bench-{run}-silent"),
            await CaseAsync(server, http, "silent-never-pinged", async proxy =>
            {
                var connection = await RawPeer.ConnectAsync(proxy.Address, $"bench-{run}-mute", keepAlive: TimeSpan.FromHours(1));
                return (() => proxy.Blackhole(), connection.DisposeAsync);
            }, $"bench-{run}-mute"),
        ];
    }

    private static async Task<object> CaseAsync(
        BenchServer server, HttpClient http, string kind, Func<FaultProxy, Task<(Action Fail, Func<ValueTask> Dispose)>> connect, string peerId)
    {
        await using var proxy = new FaultProxy(server.Address.Port);
        var (fail, dispose) = await connect(proxy);
        await UntilStateAsync(http, peerId, "connected", TimeSpan.FromSeconds(30));
        var started = Stopwatch.GetTimestamp();
        fail();
        await UntilStateAsync(http, peerId, "reconnecting", TimeSpan.FromSeconds(60));
        var detected = Stopwatch.GetElapsedTime(started);
        proxy.Reset();
        await dispose();
        return new
        {
            scenario = "disconnect-detection",
            system = "equip",
            store = server.Store,
            kind,
            detectedMs = Math.Round(detected.TotalMilliseconds),
            keepAliveIntervals = Math.Round(detected / KeepAlive, 2),
        };
    }

    private static async Task<EquipClient> ClientAsync(FaultProxy proxy, string peerId)
    {
        var client = new EquipClient(new EquipClientOptions { Server = proxy.Address, Key = BenchKey.Value, PeerId = peerId, UseMessagePack = true });
        client.Start();
        await client.WaitUntilConnectedAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return client;
    }

    private static async Task UntilStateAsync(HttpClient http, string peerId, string state, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var peers = await http.GetFromJsonAsync<JsonElement[]>("/api/peers") ?? [];
            if (peers.Any(p => p.GetProperty("peerId").GetString() == peerId && p.GetProperty("state").GetString() == state))
            {
                return;
            }
            await Task.Delay(5);
        }
        throw new TimeoutException($"Peer {peerId} did not become {state} within {timeout}.");
    }
}
