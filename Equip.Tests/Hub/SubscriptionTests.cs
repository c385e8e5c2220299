using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Protocol;
using Equip.Web.Hubs;
using Equip.Web.Hubs.FanOut;

namespace Equip.Tests.Hub;

/// One subscription on its own: how the live events the dispatcher offers meet its first message.
public sealed class SubscriptionTests
{
    private static readonly JsonElement NoFields = JsonDocument.Parse("{}").RootElement.Clone();

    private static SharedEvent Added(long revision, string type = "demo.Thing") =>
        new(ChangeEvent.Added(new ItemState(Guid.NewGuid(), type, NoFields, "lamp-1", false, null, revision, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch), DateTimeOffset.UnixEpoch));

    private static OutboxSnapshot Snapshot(long revision) =>
        new(new SnapshotMessage { SubscriptionId = "s", Revision = revision, Items = [] });

    [Fact]
    public void LiveEventsOfferedBeforeItStartsFollowItsFirstMessageOnlyWhenNewerThanItsRevision()
    {
        var (outbox, sent) = OutboxTests.Capturing();
        var subscription = new Subscription("s", new Pattern("demo.*"), outbox, SubscriptionOptions.Default, () => null);

        var queuedWhileBuffering = subscription.Offer([Added(1), Added(2), Added(3)]);
        subscription.Start(2, () => outbox.Append(Snapshot(2)));
        var queuedLive = subscription.Offer([Added(4), Added(5, type: "other.Thing")]);
        var queuedNothing = subscription.Offer([Added(6, type: "other.Thing")]);

        outbox.Flush();

        Assert.False(queuedWhileBuffering);
        Assert.True(queuedLive);
        Assert.False(queuedNothing);
        Assert.Equal(2, Assert.IsType<SnapshotMessage>(sent[0].Message).Revision);
        Assert.Equal([3L, 4], sent.Skip(1).SelectMany(m => Assert.IsType<ChangesFrame>(m.Message).Events).Select(e => e.Event.Revision));
    }

    [Fact]
    public void AClosedSubscriptionQueuesNothingEvenFromABatchInFlight()
    {
        var (outbox, _) = OutboxTests.Capturing();
        var live = new Subscription("live", new Pattern("demo.*"), outbox, SubscriptionOptions.Default, () => null);
        var buffering = new Subscription("buffering", new Pattern("demo.*"), outbox, SubscriptionOptions.Default, () => null);
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
