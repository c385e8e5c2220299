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
/// leader's stream and forwards its writes to the leader with the writer's identity and its key's
/// grant; a link carries values between devices on different nodes. (FollowerFailureTests: when
/// nodes fail.)
[Collection(PostgresCollection.Name)]
public sealed class FollowerTests(PostgresFixture postgres)
{
    [Fact]
    public async Task AFollowerServesTheLeadersStreamAndForwardsItsWritesAsTheirWriter()
    {
        using var store = await ClusterNodes.StoreAsync(postgres);
        await using var leader = await ClusterNodes.AdvertisedLeaderAsync(store, "node-a");
        using var onLeaderRest = TestHttp.Client(leader.Address, Wait.Timeout);
        var before = await onLeaderRest.PostAsJsonAsync("/api/items", new { type = "demo.Before", fields = new { name = "made before the follower" } });
        before.EnsureSuccessStatusCode();
        await using var follower = await ClusterNodes.FollowerAsync(ClusterNodes.OwnDirectory(store), "node-b");
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

        // The follower's change log is the leader's: in revision order, once each; the same adds
        // and deletes at the same revisions, and each item's latest change at the same revision.
        // (A value superseded by a later one of the same item may be skipped by either log, as
        // each squashes the values it has not stored yet.)
        var onBoth = await Task.WhenAll(EventsAsync(onLeaderRest), EventsAsync(onFollowerRest));
        foreach (var log in onBoth)
        {
            Assert.Equal(log.Select(e => e.Revision).Order().Distinct(), log.Select(e => e.Revision));
        }
        Assert.Equal(onBoth[0].Where(e => e.Kind != "updated"), onBoth[1].Where(e => e.Kind != "updated"));
        Assert.Equal(Latest(onBoth[0]), Latest(onBoth[1]));

        var cluster = await onFollowerRest.GetFromJsonAsync<JsonElement>("/api/cluster");
        var roles = cluster.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("nodeId").GetString()!, n => n.GetProperty("role").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["node-b"] = "follower", ["node-a"] = "leader" }, roles);
    }

    [Fact]
    public async Task ADeviceKeyMadeOnAFollowerWorksThroughItAndItsRevocationOnTheLeaderClosesItsConnection()
    {
        using var store = await ClusterNodes.StoreAsync(postgres);
        await using var leader = await ClusterNodes.AdvertisedLeaderAsync(store, "node-a");
        await using var follower = await ClusterNodes.FollowerAsync(ClusterNodes.OwnDirectory(store), "node-b");
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
        await using var follower = await ClusterNodes.FollowerAsync(ClusterNodes.OwnDirectory(store), "node-b");
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

    private static async Task<List<(long Revision, string Kind, Guid Item)>> EventsAsync(HttpClient rest)
    {
        var page = await rest.GetFromJsonAsync<JsonElement>("/api/events?after=0&limit=1000");
        return [.. page.GetProperty("events").EnumerateArray()
            .Select(e => (e.GetProperty("revision").GetInt64(), e.GetProperty("kind").GetString()!.ToLowerInvariant(), e.GetProperty("item").GetProperty("id").GetGuid()))];
    }

    private static List<(Guid Item, long Revision)> Latest(List<(long Revision, string Kind, Guid Item)> log) =>
        [.. log.GroupBy(e => e.Item).Select(g => (g.Key, g.Max(e => e.Revision))).OrderBy(e => e.Key)];
}
