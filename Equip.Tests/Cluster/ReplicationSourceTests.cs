using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Cluster;
using Equip.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Equip.Tests.Cluster;

/// The leader's side of a follower's stream (docs/scaling.md), on the real SQLite store: the log
/// after the follower's revision, a caught-up marker, then every batch; a follower that does not
/// read is cut off past Equip:Cluster:FollowerBacklog writer turns, and resuming from the revision
/// it got to gives it the rest, each event once, in order.
public sealed class ReplicationSourceTests
{
    [Fact]
    public async Task AFollowerThatFallsPastTheBacklogIsCutOffAndResumesWithEveryEventOnce()
    {
        using var store = TestStore.Sqlite();
        await using var host = await StoreHost.StartAsync(store, null, ("Equip:Cluster:FollowerBacklog", "16"));
        var source = host.Services.GetRequiredService<ReplicationSource>();
        await host.Dataspace.AddAsync(Thing(0));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var received = new List<long>();
        await using (var stream = source.FollowAsync(0, cancel.Token).GetAsyncEnumerator(cancel.Token))
        {
            Assert.True(await stream.MoveNextAsync()); // the log after 0
            received.AddRange(stream.Current.Events.Select(e => e.Revision));
            Assert.True(await stream.MoveNextAsync());
            Assert.Empty(stream.Current.Events); // caught up: what follows is live
            for (var i = 1; i <= 40; i++)
            {
                await host.Dataspace.AddAsync(Thing(i)); // each its own writer turn, none read meanwhile
            }
            var error = await Assert.ThrowsAsync<FollowerTooSlowException>(async () =>
            {
                while (await stream.MoveNextAsync())
                {
                    received.AddRange(stream.Current.Events.Select(e => e.Revision));
                }
            });
            Assert.Contains("FollowerBacklog", error.Message);
        }
        Assert.InRange(received.Count, 16, 17); // the first event, then the 16 turns held

        await using (var resumed = source.FollowAsync(received[^1], cancel.Token).GetAsyncEnumerator(cancel.Token))
        {
            while (received.Count < 41 && await resumed.MoveNextAsync())
            {
                received.AddRange(resumed.Current.Events.Select(e => e.Revision));
            }
        }
        Assert.Equal(41, received.Count);
        Assert.Equal(received.Order().Distinct(), received);
    }

    private static AddItem Thing(int n) => new(null, "demo.Thing", JsonSerializer.SerializeToElement(new { n }));
}
