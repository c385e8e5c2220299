using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Protocol;
using Microsoft.AspNetCore.SignalR;

namespace Equip.Web.Hubs;

/// The server's side of one hub connection: who registered on it, its subscriptions and what it
/// has yet to receive. Its subscriptions are registered with the dispatcher while they last; a
/// connection without any is never visited when events are published.
internal sealed class PeerConnection : IAsyncDisposable
{
    private readonly Dictionary<string, Subscription> _subscriptions = [];
    private readonly ChangeDispatcher _dispatcher;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private bool _disposed;

    public PeerConnection(HubCallerContext context, ChangeDispatcher dispatcher, int outboxCapacity, Func<string, object, Task> send)
    {
        Context = context;
        Outbox = new Outbox(outboxCapacity, context.Abort);
        _dispatcher = dispatcher;
        _pump = Task.Run(() => Outbox.PumpAsync(send, _stop.Token));
    }

    public HubCallerContext Context { get; }

    public Outbox Outbox { get; }

    public PeerActor? Actor { get; set; }

    public PeerActor RequireActor() =>
        Actor ?? throw new HubException($"{HubErrors.NotRegistered}: Call Register(peerId, incarnation, name) before anything else.");

    /// Registers the subscription for live events, which it buffers until it starts. A call that
    /// was still running when the connection closed registers nothing.
    public Subscription AddSubscription(string id, Pattern pattern, int maxSubscriptions)
    {
        var subscription = new Subscription(id, pattern, Outbox);
        lock (_subscriptions)
        {
            if (_disposed)
            {
                throw new OperationCanceledException("The connection closed.", Context.ConnectionAborted);
            }
            if (_subscriptions.Count >= maxSubscriptions && !_subscriptions.ContainsKey(id))
            {
                throw new HubException($"{HubErrors.LimitReached}: This connection has {_subscriptions.Count} subscriptions, the most it may have (Equip:Limits:MaxSubscriptionsPerConnection); unsubscribe from one first.");
            }
            if (!_subscriptions.TryAdd(id, subscription))
            {
                throw new HubException($"{HubErrors.DuplicateSubscription}: This connection already has a subscription '{id}'.");
            }
            _dispatcher.Register(subscription);
        }
        return subscription;
    }

    public bool RemoveSubscription(string id)
    {
        Subscription? removed;
        lock (_subscriptions)
        {
            if (!_subscriptions.Remove(id, out removed))
            {
                return false;
            }
        }
        _dispatcher.Unregister(removed);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        List<Subscription> subscriptions;
        lock (_subscriptions)
        {
            _disposed = true;
            subscriptions = [.. _subscriptions.Values];
            _subscriptions.Clear();
        }
        subscriptions.ForEach(_dispatcher.Unregister);
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
}
