using System.Threading.Channels;
using Equip.Domain.Dataspace;

namespace Equip.Web.Hubs;

/// Fans each published batch out to the hub's subscriptions, off the writer's thread: the writer
/// only puts the batch on a channel, and one loop takes the batches in revision order, finds each
/// event's subscriptions in the index, hands every subscription its events of the batch, then
/// signals each outbox it queued to once. A connection without subscriptions is not in the index
/// and costs nothing.
/// A subscription is registered before it reads its snapshot (or replays the log): a batch the
/// loop routes after that either came after the snapshot's revision or is skipped by it, so the
/// delay between writer and loop can neither lose nor repeat an event.
internal sealed class ChangeDispatcher(IChangeFeed feed, ILogger<ChangeDispatcher> logger) : BackgroundService
{
    private readonly Channel<IReadOnlyList<ChangeEvent>> _batches =
        Channel.CreateUnbounded<IReadOnlyList<ChangeEvent>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Lock _gate = new();
    private readonly SubscriptionIndex _index = new();
    private readonly Dictionary<Subscription, List<ChangeEvent>> _routed = [];
    private readonly HashSet<Outbox> _touched = [];
    private readonly List<Subscription> _candidates = [];
    private IDisposable? _feed;

    /// How many subscriptions are registered, on every connection together.
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _index.Count;
            }
        }
    }

    public void Register(Subscription subscription)
    {
        lock (_gate)
        {
            _index.Add(subscription);
        }
    }

    /// Removes the subscription and closes it, so that a batch being routed passes it nothing more.
    public void Unregister(Subscription subscription)
    {
        lock (_gate)
        {
            _index.Remove(subscription);
        }
        subscription.Close();
    }

    /// Follows the feed before start-up goes on (ExecuteAsync runs later, on its own), so that no
    /// subscription can register before the batches reach the channel.
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _feed = feed.Subscribe(events => _batches.Writer.TryWrite(events));
        return base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _feed?.Dispose();
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var events in _batches.Reader.ReadAllAsync(stoppingToken))
        {
            Dispatch(events);
        }
    }

    private void Dispatch(IReadOnlyList<ChangeEvent> events)
    {
        lock (_gate)
        {
            foreach (var change in events)
            {
                _index.FindByType(change.Item.Type, _candidates);
                foreach (var subscription in _candidates)
                {
                    if (!_routed.TryGetValue(subscription, out var routed))
                    {
                        _routed[subscription] = routed = [];
                    }
                    routed.Add(change);
                }
                _candidates.Clear();
            }
        }
        foreach (var (subscription, routed) in _routed)
        {
            try
            {
                if (subscription.Offer(routed))
                {
                    _touched.Add(subscription.Outbox);
                }
            }
            catch (Exception error)
            {
                ChangeDispatcherLog.OfferFailed(logger, subscription.Id, error);
                _touched.Add(subscription.Outbox); // what it queued before failing still goes out
            }
        }
        foreach (var outbox in _touched)
        {
            outbox.Signal();
        }
        _routed.Clear();
        _touched.Clear();
    }
}

internal static partial class ChangeDispatcherLog
{
    [LoggerMessage(1, LogLevel.Error, "Events could not be queued for subscription '{SubscriptionId}'; it stays subscribed.", EventName = "OfferFailed")]
    public static partial void OfferFailed(ILogger logger, string subscriptionId, Exception error);
}
