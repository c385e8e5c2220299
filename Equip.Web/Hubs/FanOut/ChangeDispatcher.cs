using System.Threading.Channels;
using Equip.Domain.Dataspace;

namespace Equip.Web.Hubs.FanOut;

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
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly SubscriptionIndex _index = new();
    private readonly Dictionary<Subscription, List<SharedEvent>> _routed = [];
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
        _feed = feed.Subscribe(events => _work.Writer.TryWrite(new Work(events, null, null)));
        return base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _feed?.Dispose();
        return base.StopAsync(cancellationToken);
    }

    /// Queues a SetValues' acknowledgement behind the events of the batch that applied it (the
    /// writer publishes a batch before it answers its operations).
    public void Acknowledge(Outbox outbox, long sequence, ValuesOutcome outcome) =>
        _work.Writer.TryWrite(new Work(null, outbox, new OutboxApplied(sequence, outcome)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (await _work.Reader.WaitToReadAsync(stoppingToken))
        {
            // Everything queued so far, then each outbox given something is signalled once.
            while (_work.Reader.TryRead(out var work))
            {
                if (work.Events is { } events)
                {
                    Dispatch(events);
                }
                else
                {
                    work.Outbox!.Append(work.Applied!);
                    _touched.Add(work.Outbox);
                }
            }
            foreach (var outbox in _touched)
            {
                outbox.Flush();
            }
            _touched.Clear();
        }
    }

    private void Dispatch(IReadOnlyList<ChangeEvent> events)
    {
        lock (_gate)
        {
            foreach (var change in events)
            {
                _index.Find(change.Item.Type, change.Item.Responsible, _candidates);
                if (_candidates.Count == 0)
                {
                    continue;
                }
                var shared = new SharedEvent(change); // encoded once, whoever receives it
                foreach (var subscription in _candidates)
                {
                    if (!_routed.TryGetValue(subscription, out var routed))
                    {
                        _routed[subscription] = routed = [];
                    }
                    routed.Add(shared);
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
        _routed.Clear();
    }

    /// A published batch, or an acknowledgement for an outbox.
    private readonly record struct Work(IReadOnlyList<ChangeEvent>? Events, Outbox? Outbox, OutboxApplied? Applied);
}

internal static partial class ChangeDispatcherLog
{
    [LoggerMessage(1, LogLevel.Error, "Events could not be queued for subscription '{SubscriptionId}'; it stays subscribed.", EventName = "OfferFailed")]
    public static partial void OfferFailed(ILogger logger, string subscriptionId, Exception error);
}
