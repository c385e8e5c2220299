using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Protocol;
using Equip.Testing;
using Equip.Tests.Support;
using static Equip.Tests.Support.Devices;

namespace Equip.Tests.Cluster;

/// Nodes that follow (docs/scaling.md): a follower serves devices, REST and subscriptions from the
/// leader's stream and forwards its writes to the leader with the writer's identity; the leader
/// disconnects the peers of a follower that dies; a follower whose leader dies takes over.
[Collection(PostgresCollection.Name)]
public sealed class FollowerTests(PostgresFixture postgres)
{
    private static TestStore OwnDirectory(TestStore store) =>
        store.With("Equip:DataDirectory", Directory.CreateTempSubdirectory("equip-follower-").FullName); // nothing shared but PostgreSQL

    [Fact]
    public async Task AFollowerServesTheLeadersStreamAndForwardsItsWritesAsTheirWriter()
    {
        using var store = await ClusterNodes.StoreAsync(postgres);
        await using var leader = await ClusterNodes.AdvertisedLeaderAsync(store, "node-a");
        using var onLeaderRest = TestHttp.Client(leader.Address, Wait.Timeout);
        var before = await onLeaderRest.PostAsJsonAsync("/api/items", new { type = "demo.Before", fields = new { name = "made before the follower" } });
        before.EnsureSuccessStatusCode();
        await using var follower = await ClusterNodes.FollowerAsync(OwnDirectory(store), "node-b");
        Assert.Contains("follows the leader node-a", follower.Output);
        using var onFollowerRest = TestHttp.Client(follower.Address, Wait.Timeout);

        await using var a = Start(leader.Address, "dev-a");
        await using var b = Start(follower.Address, "dev-b");
        await a.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout);
        await b.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout);
        var seenOnFollower = b.Subscribe(new WirePattern { Type = "demo.*" });
        var seenOnLeader = a.Subscribe(new WirePattern { Type = "demo.*" });
        await seenOnFollower.Settled(r => r.HasSnapshot && r.Items.Any(i => i.Type == "demo.Before"));

        var madeOnLeader = await a.AddAsync(Thing("a1"));
        var madeOnFollower = await b.AddAsync(Thing("b1"));
        // Read your writes: the follower answered once it had applied the leader's revision.
        Assert.NotNull(await b.GetAsync(madeOnFollower.Id));
        Assert.Equal(HttpStatusCode.OK, (await onFollowerRest.GetAsync($"/api/items/{madeOnFollower.Id}")).StatusCode);
        for (var i = 1; i <= 20; i++)
        {
            await b.SetValueAsync(madeOnFollower.Id, JsonSerializer.SerializeToElement(i));
        }
        var posted = await onFollowerRest.PostAsJsonAsync("/api/items", new { type = "demo.Rest", fields = new { name = "posted to the follower" } });
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var postedId = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await onFollowerRest.GetAsync($"/api/items/{postedId}")).StatusCode);

        // Every subscriber sees every change, whichever node it was written through.
        static bool Complete(Replica r, Guid last) => r.Items.Count == 4 && r.Get(last) is { } item && item.Fields.GetProperty("value").GetInt32() == 20;
        await seenOnLeader.Settled(r => Complete(r, madeOnFollower.Id));
        await seenOnFollower.Settled(r => Complete(r, madeOnFollower.Id));
        Assert.Equal(seenOnLeader.Revision, seenOnFollower.Revision);

        // Written as its writer: the leader holds dev-b responsible, and a follower's write of
        // another peer's item is refused as the leader refuses it.
        var stored = await onLeaderRest.GetFromJsonAsync<JsonElement>($"/api/items/{madeOnFollower.Id}");
        Assert.Equal("dev-b", stored.GetProperty("responsible").GetString());
        var refused = await Assert.ThrowsAsync<EquipRefusedException>(() => b.UpdateAsync(new UpdateRequest { Id = madeOnLeader.Id, Fields = Fields("taken") }));
        Assert.Equal(HubErrors.NotResponsible, refused.Code);
        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/items/{postedId}") { Content = JsonContent.Create(new { fields = new { name = "stale" } }) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var mismatch = await onFollowerRest.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, mismatch.StatusCode);
        var problem = await mismatch.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("currentRevision").GetInt64() > 1, "the problem names the item's revision, as the leader's would");

        // The follower's change log is the leader's: the same events, in revision order, once each.
        var onBoth = await Task.WhenAll(EventsAsync(onLeaderRest), EventsAsync(onFollowerRest));
        Assert.Equal(onBoth[0], onBoth[1]);
        Assert.Equal(onBoth[1].Order().Distinct(), onBoth[1]);

        var cluster = await onFollowerRest.GetFromJsonAsync<JsonElement>("/api/cluster");
        var roles = cluster.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("nodeId").GetString()!, n => n.GetProperty("role").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["node-b"] = "follower", ["node-a"] = "leader" }, roles);
    }

    [Fact]
    public async Task ADeviceKeyMadeOnAFollowerWorksThroughItAndItsRevocationOnTheLeaderClosesItsConnection()
    {
        using var store = await ClusterNodes.StoreAsync(postgres);
        await using var leader = await ClusterNodes.AdvertisedLeaderAsync(store, "node-a");
        await using var follower = await ClusterNodes.FollowerAsync(OwnDirectory(store), "node-b");
        using var onFollower = TestHttp.Client(follower.Address, Wait.Timeout);
        var made = await onFollower.PostAsJsonAsync("/api/keys", new { name = "lamp", containerIds = new[] { "lamp-1" }, peerIds = new[] { "lamp-1" } });
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var created = await made.Content.ReadFromJsonAsync<JsonElement>();
        var (keyId, key) = (created.GetProperty("id").GetGuid(), created.GetProperty("key").GetString()!);

        await using var watcher = Start(leader.Address, "watcher");
        await watcher.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout);
        var seen = watcher.Subscribe(new WirePattern { Type = "demo.*" });
        var (lamp, _) = await HubClient.RegisterAsync(follower.Address, "lamp-1", "inc-a", key: key);
        await using var _ = lamp;
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lamp.Connection.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };
        // Written through the follower with the key's grant (the leader checks it), and its value
        // event, which names its writer and the grant, streamed back to the follower.
        var item = await lamp.InvokeAsync<WireItem>(HubNames.Add, Thing("desk lamp"));
        await lamp.InvokeAsync<WireItem>(HubNames.Update, new UpdateRequest { Id = item.Id, Fields = JsonSerializer.SerializeToElement(new { name = "desk lamp", value = 3 }) });
        await seen.Settled(r => r.Get(item.Id) is { } lit && lit.Fields.TryGetProperty("value", out var v) && v.GetInt32() == 3);
        var forbidden = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => lamp.InvokeAsync<WireItem>(HubNames.Add, new AddRequest
        {
            Type = "ect.Container", Fields = JsonSerializer.SerializeToElement(new { containerId = "heater" }),
        }));
        Assert.Equal(HubErrors.Forbidden, HubErrors.CodeOf(forbidden.Message));

        using var onLeader = TestHttp.Client(leader.Address, Wait.Timeout);
        Assert.Equal(HttpStatusCode.OK, (await onLeader.DeleteAsync($"/api/keys/{keyId}")).StatusCode);
        var reason = await closed.Task.WaitAsync(Wait.Timeout); // the follower reads the revocation back from the store
        Assert.Equal(HubErrors.KeyRevoked, HubErrors.CodeOf(reason?.Message));
    }

    [Fact]
    public async Task ALinkCarriesValuesFromADeviceOnTheLeaderToADeviceOnAFollower()
    {
        using var store = await ClusterNodes.StoreAsync(postgres);
        await using var leader = await ClusterNodes.AdvertisedLeaderAsync(store, "node-a");
        await using var follower = await ClusterNodes.FollowerAsync(OwnDirectory(store), "node-b");
        await using var sliders = DeviceProcess.Start(leader.Address, "sim-1");
        await using var displays = DeviceProcess.Start(follower.Address, "sim-2");
        // The designer works through the follower: requests, the link and the value are written
        // there and made by the leader, whose launcher and link engine run them.
        using var designer = TestHttp.Client(follower.Address, Wait.Timeout);
        var slider = await ComponentRequests.RunAsync(designer, "Slider", "sim-1");
        var display = await ComponentRequests.RunAsync(designer, "Display", "sim-2");
        var link = await designer.PostAsJsonAsync("/api/links", new
        {
            source = new { componentRequestId = slider, property = "value" },
            destination = new { componentRequestId = display, property = "text" },
        });
        Assert.Equal(HttpStatusCode.Created, link.StatusCode);
        var linkId = (await link.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await ComponentRequests.UntilPropertyAsync(designer, slider, "value", _ => true);
        Assert.Equal(HttpStatusCode.OK, (await designer.PutAsJsonAsync($"/api/components/{slider}/properties/value", new { value = 0.75 })).StatusCode);

        await ComponentRequests.UntilPropertyAsync(designer, display, "text", v => v.GetString() == "0.75"); // on node B, from node A
        await ComponentRequests.UntilPropertyAsync(designer, display, "updates", v => v.GetInt64() >= 1);
        // The follower shows the leader's link status.
        await Wait.UntilAsync(async () => (await designer.GetFromJsonAsync<JsonElement>($"/api/links/{linkId}")).GetProperty("status").GetString() == "active",
            "the link active, as the follower shows it");
    }

    [Fact]
    public async Task AFollowerPausedWhileTheLeaderWritesCatchesUpAndItsSubscribersSeeEveryEventOnceInOrder()
    {
        using var store = await ClusterNodes.StoreAsync(postgres);
        await using var leader = await ClusterNodes.AdvertisedLeaderAsync(store, "node-a");
        await using var follower = await ClusterNodes.FollowerAsync(OwnDirectory(store), "node-b");
        await using var watcher = Start(follower.Address, "watcher");
        await watcher.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout);
        var seen = new List<(long Revision, string Name)>();
        var replica = watcher.Subscribe(new WirePattern { Type = "demo.*" });
        replica.Changed += change =>
        {
            lock (seen)
            {
                seen.Add((change.Item.Revision, NameOf(change.Item)));
            }
        };
        await replica.Settled(r => r.HasSnapshot);
        using var writer = TestHttp.Client(leader.Address, Wait.Timeout);

        await follower.SignalAsync("STOP");
        const int Written = 200;
        for (var i = 0; i < Written; i++)
        {
            var posted = await writer.PostAsJsonAsync("/api/items", new { type = "demo.Paused", fields = new { name = $"p{i}" } });
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        }
        await follower.SignalAsync("CONT");

        await replica.Settled(r => r.Items.Count == Written);
        lock (seen)
        {
            Assert.Equal([.. Enumerable.Range(0, Written).Select(i => $"p{i}")], seen.Select(s => s.Name));
            Assert.Equal(seen.Select(s => s.Revision).Order(), seen.Select(s => s.Revision));
        }
        Assert.False(follower.HasExited);
    }

    [Fact]
    public async Task ThePeersOfAKilledFollowerAreDisconnectedOnTheLeader()
    {
        using var store = (await ClusterNodes.StoreAsync(postgres)).With("Equip:Peers:DisconnectGrace", "00:01:00");
        await using var leader = await ClusterNodes.AdvertisedLeaderAsync(store, "node-a");
        await using var follower = await ClusterNodes.FollowerAsync(OwnDirectory(store), "node-b");
        await using var b = Start(follower.Address, "dev-b");
        await b.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout);
        using var rest = TestHttp.Client(leader.Address, Wait.Timeout);
        await Wait.UntilAsync(async () => await StateOfAsync(rest, "dev-b") == "connected", "dev-b connected, as the leader sees it");

        await follower.KillAsync();
        await Wait.UntilAsync(async () => await StateOfAsync(rest, "dev-b") == "reconnecting", "dev-b reconnecting once its node died");
    }

    [Fact]
    public async Task WhenTheLeaderDiesAFollowerTakesOverWithEveryAcknowledgedWrite()
    {
        using var store = await ClusterNodes.StoreAsync(postgres);
        await using var leader = await ClusterNodes.AdvertisedLeaderAsync(store, "node-a");
        var followerStore = OwnDirectory(store);
        await using var follower = await ClusterNodes.FollowerAsync(followerStore, "node-b");
        using var onFollower = TestHttp.Client(follower.Address, Wait.Timeout);
        var written = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var posted = await onFollower.PostAsJsonAsync("/api/items", new { type = "demo.Durable", fields = new { n = i } });
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
            written.Add((await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }

        await using var device = Start(follower.Address, "dev-b");
        await device.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout);
        var owned = await device.AddAsync(Thing("b1"));
        for (var i = 0; i < 50; i++)
        {
            await device.SetValueAsync(owned.Id, JsonSerializer.SerializeToElement(i));
        }

        var killed = System.Diagnostics.Stopwatch.StartNew();
        await leader.KillAsync();
        // The follower takes the lock its leader left, and restarts to lead (its supervisor's part,
        // here the test's: start it again). It leaves at once, its connected device with it.
        await follower.WaitForExitAsync(Wait.Timeout);
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(10), $"the follower took {killed.Elapsed} to leave:\n{follower.Output}");
        Assert.Equal(75, follower.ExitCode);
        Assert.Contains("(exit code 75)", follower.Output); // it took the lock its leader left, or saw its leader go first
        await using var again = await ClusterNodes.AdvertisedLeaderAsync(followerStore, "node-b");
        Assert.Contains("node-b leads, in term 2", again.Output);
        using var rest = TestHttp.Client(again.Address, Wait.Timeout);
        foreach (var id in written)
        {
            Assert.Equal(HttpStatusCode.OK, (await rest.GetAsync($"/api/items/{id}")).StatusCode);
        }
    }

    private static async Task<string?> StateOfAsync(HttpClient rest, string peerId) =>
        (await rest.GetFromJsonAsync<JsonElement>("/api/peers")).EnumerateArray()
            .FirstOrDefault(p => p.GetProperty("peerId").GetString() == peerId) is { ValueKind: JsonValueKind.Object } peer ? peer.GetProperty("state").GetString() : null;

    private static async Task<List<long>> EventsAsync(HttpClient rest)
    {
        var page = await rest.GetFromJsonAsync<JsonElement>("/api/events?after=0&limit=1000");
        return [.. page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("revision").GetInt64())];
    }
}
