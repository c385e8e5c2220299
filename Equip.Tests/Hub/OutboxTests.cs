using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Protocol;
using Equip.Web.Hubs.FanOut;

namespace Equip.Tests.Hub;

/// The per-connection outbox on its own: what a lagging receiver is sent.
public sealed class OutboxTests
{
    private static OutboxEvent Event(string subscription, Guid item, long revision, bool unreliable) =>
        new(subscription, new EventFrame(new SharedEvent(Changed(item, revision, unreliable)), Matches: true), unreliable);

    internal static ChangeEvent Changed(Guid item, long revision, bool unreliable = false) =>
        ChangeEvent.Updated(new ItemState(item, "demo.Value", JsonDocument.Parse($$"""{"value":{{revision}}}""").RootElement.Clone(), "lamp-1", true, null, revision,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch), DateTimeOffset.UnixEpoch, unreliable);

    /// An outbox whose messages are kept, in order, as written.
    internal static (Outbox Outbox, List<(string Method, object Message)> Sent) Capturing(int capacity = 100, Action? onOverflow = null, int valuesPerItem = 1)
    {
        var sent = new List<(string, object)>();
        var outbox = new Outbox(capacity, valuesPerItem, onOverflow ?? (() => { }), (method, message) =>
        {
            sent.Add((method, message));
            return ValueTask.CompletedTask;
        });
        return (outbox, sent);
    }

    [Fact]
    public void ALaggingReceiverGetsOnlyTheLatestUnreliableValuePerItemInRevisionOrder()
    {
        var overflowed = false;
        var (outbox, sent) = Capturing(onOverflow: () => overflowed = true);
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        outbox.Append(Event("s", a, 1, unreliable: true));
        outbox.Append(Event("s", b, 2, unreliable: true));
        outbox.Append(Event("s", a, 3, unreliable: true));
        outbox.Append(Event("s", b, 4, unreliable: false));
        outbox.Append(Event("s", a, 5, unreliable: true));
        outbox.Append(Event("t", a, 5, unreliable: true));

        outbox.Flush();

        var changes = sent.Select(m => Assert.IsType<ChangesFrame>(m.Message)).ToList();
        Assert.Equal(["s", "t"], changes.Select(c => c.SubscriptionId));
        Assert.Equal([2L, 4, 5], changes[0].Events.Select(e => e.Event.Revision));
        Assert.Equal([5L], changes[1].Events.Select(e => e.Event.Revision));
        Assert.All(sent, m => Assert.Equal(HubNames.Changes, m.Method));
        Assert.False(overflowed);
    }

    [Fact]
    public void ALaggingReceiverGetsTheLatestValueOfEachItemAndEachCallsAcknowledgementInOrder()
    {
        var (outbox, sent) = Capturing();
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        outbox.Append(new OutboxValue("s", new SharedEvent(Changed(a, 1))));
        outbox.Append(new OutboxApplied(7, new ValuesOutcome([11, 12], [])));
        outbox.Append(new OutboxApplied(8, new ValuesOutcome([0], [new ValueRefusal(0, new ItemNotFoundException(b))])));
        outbox.Append(new OutboxValue("s", new SharedEvent(Changed(b, 2))));
        outbox.Append(new OutboxValue("s", new SharedEvent(Changed(a, 3))));

        outbox.Flush();

        Assert.Equal([HubNames.ValuesApplied, HubNames.ValuesApplied, HubNames.Values], sent.Select(m => m.Method));
        var first = Assert.IsType<ValuesAppliedMessage>(sent[0].Message);
        Assert.Equal(7, first.Sequence);
        Assert.Equal([11L, 12], first.Revisions);
        Assert.Empty(first.Refused);
        var second = Assert.IsType<ValuesAppliedMessage>(sent[1].Message);
        Assert.Equal(8, second.Sequence);
        Assert.Equal([0L], second.Revisions);
        var refused = Assert.Single(second.Refused);
        Assert.Equal((8L, 0, HubErrors.NotFound), (refused.Sequence, refused.Index!.Value, refused.Code));
        var values = Assert.IsType<ValuesFrame>(sent[2].Message);
        Assert.Equal([2L, 3], values.Values.Select(v => v.Event.Revision));
    }

    /// Equip:Values:QueuedPerItem above 1: that many values (or unreliable updates) of an item
    /// wait for a subscription, and a later one takes the place of the newest of them.
    [Fact]
    public void UpToTheConfiguredValuesOfAnItemWaitAndTheLatestTakesTheLastPlace()
    {
        var (outbox, sent) = Capturing(valuesPerItem: 3);
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        for (var revision = 1; revision <= 5; revision++)
        {
            outbox.Append(new OutboxValue("s", new SharedEvent(Changed(a, revision))));
        }
        outbox.Append(new OutboxValue("s", new SharedEvent(Changed(b, 6))));
        for (var revision = 7; revision <= 10; revision++)
        {
            outbox.Append(Event("t", a, revision, unreliable: true));
        }

        outbox.Flush();

        Assert.Equal([HubNames.Values, HubNames.Changes], sent.Select(m => m.Method));
        Assert.Equal([1L, 2, 5, 6], Assert.IsType<ValuesFrame>(sent[0].Message).Values.Select(v => v.Event.Revision));
        Assert.Equal([7L, 8, 10], Assert.IsType<ChangesFrame>(sent[1].Message).Events.Select(e => e.Event.Revision));

        // Once written, the count starts again: a receiver that keeps up gets every value.
        sent.Clear();
        for (var revision = 11; revision <= 13; revision++)
        {
            outbox.Append(new OutboxValue("s", new SharedEvent(Changed(a, revision))));
        }
        outbox.Flush();
        Assert.Equal([11L, 12, 13], Assert.IsType<ValuesFrame>(Assert.Single(sent).Message).Values.Select(v => v.Event.Revision));
    }

    /// With half the capacity waiting, the receiver is far behind: a later value takes the newest
    /// one's place whatever the bound, so values never overflow an outbox that one per item would not.
    [Fact]
    public void FarBehindAReceiverGetsTheLatestValueOnly()
    {
        var overflowed = false;
        var (outbox, sent) = Capturing(capacity: 10, onOverflow: () => overflowed = true, valuesPerItem: 3);
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        for (var revision = 1; revision <= 3; revision++)
        {
            outbox.Append(new OutboxValue("s", new SharedEvent(Changed(a, revision))));
        }
        for (var revision = 4; revision <= 20; revision++)
        {
            outbox.Append(new OutboxValue("s", new SharedEvent(Changed(b, revision))));
        }

        outbox.Flush();

        Assert.False(overflowed);
        Assert.Equal([1L, 2, 3, 4, 20], Assert.IsType<ValuesFrame>(Assert.Single(sent).Message).Values.Select(v => v.Event.Revision));
    }

    [Fact]
    public void ReliableEventsAreNeverSquashed()
    {
        var (outbox, sent) = Capturing();
        var item = Guid.NewGuid();
        for (var revision = 1; revision <= 5; revision++)
        {
            outbox.Append(Event("s", item, revision, unreliable: false));
        }

        outbox.Flush();

        Assert.Equal([1L, 2, 3, 4, 5], Assert.IsType<ChangesFrame>(Assert.Single(sent).Message).Events.Select(e => e.Event.Revision));
    }

    [Fact]
    public void AReceiverTooFarBehindIsCutOffInsteadOfBufferingWithoutBound()
    {
        var overflowed = 0;
        var (outbox, sent) = Capturing(capacity: 3, onOverflow: () => overflowed++);

        for (var revision = 1; revision <= 10; revision++)
        {
            outbox.Append(Event("s", Guid.NewGuid(), revision, unreliable: false));
        }
        outbox.Flush();

        Assert.Equal(1, overflowed);
        Assert.Empty(sent);
    }

    [Fact]
    public async Task WhatIsAppendedWhileAWriteWaitsGoesOutWhenItIsDoneInOrder()
    {
        var sent = new List<long>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var outbox = new Outbox(100, 1, () => { }, async (_, message) =>
        {
            var revisions = ((ChangesFrame)message).Events.Select(e => e.Event.Revision).ToList();
            if (revisions.Contains(1))
            {
                await release.Task;
            }
            lock (sent)
            {
                sent.AddRange(revisions);
            }
        });
        var item = Guid.NewGuid();
        outbox.Append(Event("s", item, 1, unreliable: false));
        outbox.Flush();
        outbox.Append(Event("s", item, 2, unreliable: false));
        outbox.Flush();
        Assert.Empty(sent);

        release.SetResult();

        await Support.Wait.UntilAsync(() => Task.FromResult(sent.Count == 2), "both events are sent");
        Assert.Equal([1L, 2], sent);
    }
}
