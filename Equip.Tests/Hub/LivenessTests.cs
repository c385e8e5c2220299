using System.Net.Http.Json;
using System.Text.Json;
using Equip.Testing;
using Equip.Tests.Support;

namespace Equip.Tests.Hub;

public sealed class LivenessTests
{
    /// With the default keep-alive settings, a peer whose packets stop arriving (a pulled cable:
    /// nothing is closed) is noticed within 15 seconds.
    [Fact]
    public async Task ASilentPeerIsNoticedWithin15SecondsByDefault()
    {
        using var store = TestStore.Sqlite();
        using var server = new EquipServer(store);
        await using var proxy = new FaultProxy(server.Address.Port);
        var (client, _) = await HubClient.RegisterAsync(proxy.Address, "lamp-1", "inc-a");
        await using var _ = client;
        using var http = server.NewClient();

        proxy.Blackhole();
        var started = DateTime.UtcNow;
        string? state = null;
        while (DateTime.UtcNow - started < TimeSpan.FromSeconds(15) && state != "reconnecting")
        {
            await Task.Delay(250);
            var peers = (await http.GetFromJsonAsync<JsonElement[]>("/api/peers"))!;
            state = peers.Single().GetProperty("state").GetString();
        }

        Assert.Equal("reconnecting", state);
    }
}
