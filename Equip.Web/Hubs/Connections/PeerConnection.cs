using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Equip.Web.Hubs.FanOut;

namespace Equip.Web.Hubs.Connections;

/// The server's side of one hub connection: who registered on it, its subscriptions and what it
/// has yet to receive. Its subscriptions are registered with the dispatcher while they last; a
/// connection without any is never visited when events are published.
internal sealed class PeerConnection : IAsyncDisposable
{
    private readonly Dictionary<string, Subscription> _subscriptions = [];
    private readonly ChangeDispatcher _dispatcher;
    private bool _disposed;

    /// Messages go straight to the connection (its HubConnectionContext), one write each.
    public PeerConnection(HubCallerContext context, ChangeDispatcher dispatcher, int outboxCapacity, int valuesPerItem, HubConnectionContext connection)
    {
        Context = context;
        Outbox = new Outbox(outboxCapacity, valuesPerItem, context.Abort, (method, message) => connection.WriteAsync(new InvocationMessage(method, [message])));
        _dispatcher = dispatcher;
    }

    public HubCallerContext Context { get; }

    public Outbox Outbox { get; }

    public PeerActor? Actor { get; set; }

    /// The connection's SetValues through the sequence were applied: the acknowledgement goes out
    /// after the events of the batch that applied them.
    public void Applied(long sequence, ValuesOutcome outcome) => _dispatcher.Acknowledge(Outbox, sequence, outcome);

    public PeerActor RequireActor() =>
        Actor ?? throw new HubException($"{HubErrors.NotRegistered}: Call Register(peerId, incarnation, name) before anything else.");

    /// Registers the subscription for live events, which it buffers until it starts. A call that
    /// was still running when the connection closed registers nothing.
    public Subscription AddSubscription(string id, Pattern pattern, SubscriptionOptions options, int maxSubscriptions)
    {
        var subscription = new Subscription(id, pattern, Outbox, options, () => Actor);
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

    public ValueTask DisposeAsync()
    {
        List<Subscription> subscriptions;
        lock (_subscriptions)
        {
            _disposed = true;
            subscriptions = [.. _subscriptions.Values];
            _subscriptions.Clear();
        }
        subscriptions.ForEach(_dispatcher.Unregister);
        Outbox.Close();
        return ValueTask.CompletedTask;
    }
}
