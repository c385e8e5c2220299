using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Equip.Tests.Conformance;
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

    /// A client that registered and added a process-bound item, then went silent with its socket
    /// left open before it ever sent a ping (power lost, a cable pulled): the server closes it after
    /// the client timeout, counted from the connection, and its item goes after the grace period.
    [Fact]
    public async Task APeerThatNeverSentAPingIsNoticedAfterTheClientTimeoutAndItsItemsRemoved()
    {
        using var store = TestStore.Sqlite();
        using var server = new EquipServer(store
            .With("Equip:Peers:KeepAliveInterval", "00:00:00.500")
            .With("Equip:Peers:ClientTimeout", "00:00:02")
            .With("Equip:Peers:DisconnectGrace", "00:00:01"));
        using var http = server.NewClient();
        await using var silent = await WireHub.ConnectAsync(server.Address, WireFormat.Json);
        await silent.ResultAsync("Register", JsonNode.Parse("""{"peerId":"silent-1","incarnation":"a","name":""}"""));
        var added = await silent.ResultAsync("Add", JsonNode.Parse("""{"type":"demo.Lamp","fields":{"on":true},"processBound":true}"""));
        var item = added!["id"]!.GetValue<Guid>();
        var quiet = DateTime.UtcNow;

        string? state = null;
        while (DateTime.UtcNow - quiet < TimeSpan.FromSeconds(6) && state != "reconnecting" && state != "gone")
        {
            await Task.Delay(100);
            state = (await http.GetFromJsonAsync<JsonElement[]>("/api/peers"))!.Single().GetProperty("state").GetString();
        }
        var noticed = DateTime.UtcNow - quiet;
        await Wait.UntilAsync(async () => (await http.GetAsync($"/api/items/{item}")).StatusCode == System.Net.HttpStatusCode.NotFound, "the silent peer's item is removed");

        Assert.True(state is "reconnecting" or "gone", $"still {state} after {noticed.TotalSeconds:0.0} s");
        // Not before the client timeout (2 s); after it, within the liveness check's interval, the
        // state's commit and this loop's polling, with room for a loaded two-core CI (3.55 s seen).
        Assert.InRange(noticed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(4.5));
    }
}
