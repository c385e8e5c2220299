using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Testing;
using Equip.Tests.Support;

namespace Equip.Tests.Cluster;

/// Leases across a failover (docs/scaling.md): while no node leads, no device can renew a lease,
/// so a new leader restarts every lease at its election, as etcd does; a lease that is then not
/// renewed runs out as usual.
[Collection(PostgresCollection.Name)]
public sealed class ElectionLeaseTests(PostgresFixture postgres)
{
    [Fact]
    public async Task ALeaseThatRanOutWhileNoNodeLedStartsAgainAtTheElection()
    {
        using var store = await ClusterNodes.StoreAsync(postgres);
        await using var leader = await ClusterNodes.LeaderAsync(store, "node-a");
        using var first = TestHttp.Client(leader.Address, Wait.Timeout);
        var id = Guid.NewGuid();
        var added = await first.PostAsJsonAsync("/api/items", new { id, type = "cluster.Leased", fields = new { }, leaseSeconds = 6 });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var leaseRanOut = DateTimeOffset.UtcNow.AddSeconds(6);

        await leader.KillAsync();
        await Task.Delay(TimeSpan.FromSeconds(7)); // no node leads: the lease runs out unrenewed
        var electionStarted = DateTimeOffset.UtcNow;
        await using var next = await ClusterNodes.LeaderAsync(ClusterNodes.OwnDirectory(store), "node-b");
        using var second = TestHttp.Client(next.Address, Wait.Timeout);
        var item = await second.GetFromJsonAsync<JsonElement>($"/api/items/{id}");
        var expiry = item.GetProperty("leaseExpiresAt").GetDateTimeOffset();
        // Its full duration again from the election (the node swept before it listened, and kept it).
        Assert.InRange(expiry, electionStarted.AddSeconds(6), DateTimeOffset.UtcNow.AddSeconds(6));
        Assert.True(expiry > leaseRanOut.AddSeconds(1), $"{expiry:O} is later than the lease's first end, {leaseRanOut:O}");

        // Not renewed, it runs out its full duration after the election.
        await Wait.UntilAsync(async () => (await second.GetAsync($"/api/items/{id}")).StatusCode == HttpStatusCode.NotFound, "the restarted lease ran out");
        Assert.True(DateTimeOffset.UtcNow >= expiry.AddMilliseconds(-100), "it ran out no sooner than its restarted end");
        var events = await second.GetFromJsonAsync<JsonElement>("/api/events?after=0&limit=100");
        var deleted = events.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "deleted");
        Assert.Equal("leaseExpired", deleted.GetProperty("reason").GetString());
    }
}
