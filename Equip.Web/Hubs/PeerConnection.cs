using System.Collections.Concurrent;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Protocol;
using Microsoft.AspNetCore.SignalR;

namespace Equip.Web.Hubs;

/// The server's side of one hub connection: who registered on it, its subscriptions and what it
/// has yet to receive.
internal sealed class PeerConnection : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Subscription> _subscriptions = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly IDisposable _feed;
    private readonly Task _pump;

    public PeerConnection(HubCallerContext context, IChangeFeed feed, int outboxCapacity, Func<string, object, Task> send)
    {
        Context = context;
        Outbox = new Outbox(outboxCapacity, context.Abort);
        _feed = feed.Subscribe(OnCommitted);
        _pump = Task.Run(() => Outbox.PumpAsync(send, _stop.Token));
    }

    public HubCallerContext Context { get; }

    public Outbox Outbox { get; }

    public PeerActor? Actor { get; set; }

    public PeerActor RequireActor() =>
        Actor ?? throw new HubException($"{HubErrors.NotRegistered}: Call Register(peerId, incarnation, name) before anything else.");

    public Subscription AddSubscription(string id, Pattern pattern)
    {
        var subscription = new Subscription(id, pattern, Outbox);
        return _subscriptions.TryAdd(id, subscription)
            ? subscription
            : throw new HubException($"{HubErrors.DuplicateSubscription}: This connection already has a subscription '{id}'.");
    }

    public bool RemoveSubscription(string id) => _subscriptions.TryRemove(id, out _);

    public async ValueTask DisposeAsync()
    {
        _feed.Dispose();
        await _stop.CancelAsync();
        try
        {
            await _pump;
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception)
        {
            // A send failed because the connection is gone: nothing is left to deliver to.
        }
        _stop.Dispose();
    }

    private void OnCommitted(IReadOnlyList<ChangeEvent> events)
    {
        foreach (var subscription in _subscriptions.Values)
        {
            subscription.Offer(events);
        }
    }
}
