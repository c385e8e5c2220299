using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Protocol;
using Equip.Web.Hubs;

namespace Equip.Tests.Hub;

/// One subscription on its own: how the live events the dispatcher offers meet its first message.
public sealed class SubscriptionTests
{
    private static readonly JsonElement NoFields = JsonDocument.Parse("{}").RootElement.Clone();

    private static ChangeEvent Added(long revision, string type = "demo.Thing") =>
        ChangeEvent.Added(new ItemState(Guid.NewGuid(), type, NoFields, "lamp-1", false, null, revision, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch), DateTimeOffset.UnixEpoch);

    private static OutboxSnapshot Snapshot(long revision) =>
        new(new SnapshotMessage { SubscriptionId = "s", Revision = revision, Items = [] });

    [Fact]
    public async Task LiveEventsOfferedBeforeItStartsFollowItsFirstMessageOnlyWhenNewerThanItsRevision()
    {
        var outbox = new Outbox(100, () => { });
        var subscription = new Subscription("s", new Pattern("demo.*"), outbox);

        var queuedWhileBuffering = subscription.Offer([Added(1), Added(2), Added(3)]);
        subscription.Start(2, () => outbox.Append(Snapshot(2)));
        var queuedLive = subscription.Offer([Added(4), Added(5, type: "other.Thing")]);
        var queuedNothing = subscription.Offer([Added(6, type: "other.Thing")]);

        var sent = await OutboxTests.SendOnceAsync(outbox, messages: 2);
        Assert.False(queuedWhileBuffering);
        Assert.True(queuedLive);
        Assert.False(queuedNothing);
        Assert.Equal(2, Assert.IsType<SnapshotMessage>(sent[0]).Revision);
        Assert.Equal([3L, 4], Assert.IsType<ChangesMessage>(sent[1]).Events.Select(e => e.Revision));
        Assert.Equal(2, sent.Count);
    }

    [Fact]
    public void AClosedSubscriptionQueuesNothingEvenFromABatchInFlight()
    {
        var outbox = new Outbox(100, () => { });
        var live = new Subscription("live", new Pattern("demo.*"), outbox);
        var buffering = new Subscription("buffering", new Pattern("demo.*"), outbox);
        live.Start(0, () => { });

        live.Close();
        buffering.Close();
        var firstMessages = 0;
        buffering.Start(0, () => firstMessages++);

        Assert.False(live.Offer([Added(1)]));
        Assert.False(buffering.Offer([Added(2)]));
        Assert.Equal(0, firstMessages);
    }
}
