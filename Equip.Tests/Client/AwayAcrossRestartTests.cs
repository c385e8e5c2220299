using System.Net.Http.Json;
using System.Text.Json;
using Equip.Testing;
using Equip.Tests.Support;
using static Equip.Tests.Support.Devices;

namespace Equip.Tests.Client;

/// How long a device was away across a server crash is what the device experienced (docs/recovery.md):
/// from when the killed server was last alive, not from the restart.
public sealed class AwayAcrossRestartTests
{
    [Fact]
    public async Task APeerLostWithAKilledServerWasLastSeenWhenTheServerDiedNotWhenItCameBack()
    {
        using var store = TestStore.Sqlite();
        var server = await ServerProcess.StartAsync(store.Settings, store.DataDirectory);
        await using var proxy = new FaultProxy(server.Address.Port);
        await using (var device = Start(proxy.Address, "lamp-away"))
        {
            await device.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout);
            await Task.Delay(ServerLifeMarkInterval * 2); // the server marks itself alive meanwhile
            proxy.Blackhole(); // the device cannot come back before it is read below
            var killedAt = DateTimeOffset.UtcNow;
            await server.KillAsync();
            await server.DisposeAsync();
            await Task.Delay(TimeSpan.FromSeconds(4)); // the server is down
            var restartedAt = DateTimeOffset.UtcNow;
            await using var restarted = await ServerProcess.StartAsync(store.Settings, store.DataDirectory);
            using var http = TestHttp.Client(restarted.Address, Wait.Timeout);
            var peer = (await http.GetFromJsonAsync<JsonElement[]>("/api/peers"))!.Single(p => p.GetProperty("peerId").GetString() == "lamp-away");
            Assert.Equal("reconnecting", peer.GetProperty("state").GetString());
            var lastSeen = peer.GetProperty("lastSeenAt").GetDateTimeOffset();
            Assert.InRange(lastSeen, killedAt - ServerLifeMarkInterval * 2, killedAt + TimeSpan.FromMilliseconds(500));
            Assert.True(restartedAt - lastSeen > TimeSpan.FromSeconds(3.5), $"last seen {lastSeen:O}, restarted {restartedAt:O}");
        }
    }

    private static readonly TimeSpan ServerLifeMarkInterval = Equip.Infrastructure.Peers.ServerLifeMark.Interval;
}
