using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Protocol;
using Equip.Testing;
using Equip.Tests.Support;
using static Equip.Tests.Support.Devices;

namespace Equip.Tests.Cluster;

/// Followers that fail or fall behind (docs/scaling.md): a follower paused while the leader writes
/// catches up without a gap or a duplicate; the leader disconnects the peers of a follower that
/// dies; a follower whose leader dies takes over with every acknowledged write.
[Collection(PostgresCollection.Name)]
public sealed class FollowerFailureTests(PostgresFixture postgres)
{
    [Fact]
    public async Task AFollowerPausedWhileTheLeaderWritesCatchesUpAndItsSubscribersSeeEveryEventOnceInOrder()
    {
        using var store = await ClusterNodes.StoreAsync(postgres);
        await using var leader = await ClusterNodes.AdvertisedLeaderAsync(store, "node-a");
        await using var follower = await ClusterNodes.FollowerAsync(ClusterNodes.OwnDirectory(store), "node-b");
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
        await using var follower = await ClusterNodes.FollowerAsync(ClusterNodes.OwnDirectory(store), "node-b");
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
        var followerStore = ClusterNodes.OwnDirectory(store);
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

    [Fact]
    public async Task ThreeSupervisedNodesAnyKilledSettleOnOneLeaderAndTwoFollowersServingTheSameItems()
    {
        using var store = await ClusterNodes.StoreAsync(postgres);
        await using var a = Supervised.Start(store, "node-a");
        await a.Current.WaitUntilHealthyAsync(Wait.Timeout);
        await using var b = Supervised.Start(ClusterNodes.OwnDirectory(store), "node-b");
        await b.Current.WaitUntilHealthyAsync(Wait.Timeout);
        await using var c = Supervised.Start(ClusterNodes.OwnDirectory(store), "node-c");
        await c.Current.WaitUntilHealthyAsync(Wait.Timeout);
        Supervised[] nodes = [a, b, c];
        var written = new List<Guid> { await ClusterWrites.UntilAcknowledgedAsync(() => c.Current.Address, "cluster.Probe") };

        foreach (var killed in new[] { a, b })
        {
            await killed.Current.KillAsync(); // the leader first, then whichever node b is by then
            var settled = await SettledAsync(nodes);
            Assert.Equal(["follower", "follower", "leader"], settled.Order());
            foreach (var node in nodes)
            {
                written.Add(await ClusterWrites.UntilAcknowledgedAsync(() => node.Current.Address, "cluster.Probe"));
            }
            foreach (var node in nodes)
            {
                using var rest = TestHttp.Client(node.Current.Address, Wait.Timeout);
                foreach (var id in written)
                {
                    Assert.Equal(HttpStatusCode.OK, (await rest.GetAsync($"/api/items/{id}")).StatusCode);
                }
            }
        }
        Assert.Contains(75, nodes.SelectMany(n => n.ExitCodes)); // the followers restarted to lead or to follow the new leader
    }

    /// Waits (up to a minute: a node killed, the others restarting after it) until every node
    /// serves and says what it is; answers the roles.
    private static async Task<List<string>> SettledAsync(Supervised[] nodes)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var roles = new List<string>();
            foreach (var node in nodes)
            {
                try
                {
                    using var rest = TestHttp.Client(node.Current.Address, TimeSpan.FromSeconds(2));
                    var cluster = await rest.GetFromJsonAsync<JsonElement>("/api/cluster");
                    roles.Add(cluster.GetProperty("nodes")[0].GetProperty("role").GetString()!);
                }
                catch (Exception unreachable) when (unreachable is HttpRequestException or TaskCanceledException)
                {
                }
            }
            if (roles.Count == nodes.Length && roles.Count(r => r == "leader") == 1 && roles.All(r => r is "leader" or "follower"))
            {
                return roles;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The nodes did not settle: {string.Join(", ", roles)}.\n" + string.Join("\n---\n", nodes.Select(n =>
                    $"exits {string.Join(",", n.ExitCodes)}:\n" + string.Join("\n", n.Current.Output.Split('\n').TakeLast(25)))));
            }
            await Task.Delay(200);
        }
    }
}
