using System.Text.Json;
using Equip.Protocol;
using Equip.Web.Hubs;

namespace Equip.Tests.Hub;

/// The per-connection outbox on its own: what a lagging receiver is sent.
public sealed class OutboxTests
{
    private static OutboxEvent Event(string subscription, Guid item, long revision, bool unreliable) => new(subscription, new WireEvent
    {
        Revision = revision,
        Kind = "updated",
        Item = new WireItem { Id = item, Type = "demo.Value", Fields = JsonDocument.Parse($$"""{"v":{{revision}}}""").RootElement.Clone(), Revision = revision },
        Matches = true,
    }, unreliable);

    [Fact]
    public async Task ALaggingReceiverGetsOnlyTheLatestUnreliableValuePerItemInRevisionOrder()
    {
        var overflowed = false;
        var outbox = new Outbox(100, () => overflowed = true);
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        outbox.Append(Event("s", a, 1, unreliable: true));
        outbox.Append(Event("s", b, 2, unreliable: true));
        outbox.Append(Event("s", a, 3, unreliable: true));
        outbox.Append(Event("s", b, 4, unreliable: false));
        outbox.Append(Event("s", a, 5, unreliable: true));
        outbox.Append(Event("t", a, 5, unreliable: true));

        var sent = await SendOnceAsync(outbox, messages: 2);

        var changes = sent.Cast<ChangesMessage>().ToList();
        Assert.Equal(["s", "t"], changes.Select(c => c.SubscriptionId));
        Assert.Equal([2L, 4, 5], changes[0].Events.Select(e => e.Revision));
        Assert.Equal([5L], changes[1].Events.Select(e => e.Revision));
        Assert.False(overflowed);
    }

    [Fact]
    public async Task ReliableEventsAreNeverSquashed()
    {
        var outbox = new Outbox(100, () => { });
        var item = Guid.NewGuid();
        for (var revision = 1; revision <= 5; revision++)
        {
            outbox.Append(Event("s", item, revision, unreliable: false));
        }

        var sent = await SendOnceAsync(outbox, messages: 1);

        Assert.Equal([1L, 2, 3, 4, 5], Assert.IsType<ChangesMessage>(Assert.Single(sent)).Events.Select(e => e.Revision));
    }

    [Fact]
    public void AReceiverTooFarBehindIsCutOffInsteadOfBufferingWithoutBound()
    {
        var overflowed = 0;
        var outbox = new Outbox(3, () => overflowed++);

        for (var revision = 1; revision <= 10; revision++)
        {
            outbox.Append(Event("s", Guid.NewGuid(), revision, unreliable: false));
        }

        Assert.Equal(1, overflowed);
    }

    /// Everything appended before the signal goes out in one batch.
    internal static async Task<List<object>> SendOnceAsync(Outbox outbox, int messages)
    {
        var sent = new List<object>();
        outbox.Signal();
        using var stop = new CancellationTokenSource();
        var pump = outbox.PumpAsync((_, message) =>
        {
            lock (sent)
            {
                sent.Add(message);
            }
            return Task.CompletedTask;
        }, stop.Token);
        await Support.Wait.UntilAsync(() => Task.FromResult(sent.Count >= messages), $"{messages} messages are sent");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pump);
        return sent;
    }
}
