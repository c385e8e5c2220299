using Equip.Domain.Dataspace;
using Equip.Domain.Peers;

namespace Equip.Web.Hubs.FanOut;

/// One subscription of a connection. Until its first message (snapshot or replay) is queued it
/// buffers live events; from then on it passes on those after the revision it started from, so
/// there is neither a gap nor a duplicate between the two. Once closed it passes on nothing, even
/// from a batch the dispatcher was routing when it was removed.
/// A value change is queued as a compact value entry when the subscription asked for them (and
/// its pattern does not name the field "value", whose change could change whether the item
/// matches); the connection's own value changes are left out unless it asked for them.
internal sealed class Subscription(string id, Pattern pattern, Outbox outbox, SubscriptionOptions options, Func<PeerActor?> owner)
{
    private readonly bool _compactValues = options.CompactValues && !pattern.NamesValue;

    private readonly Lock _gate = new();
    private List<SharedEvent>? _buffer = [];
    private long _delivered;
    private bool _closed;

    public string Id => id;

    public Pattern Pattern => pattern;

    public Outbox Outbox => outbox;

    /// Queues the events it concerns without signalling the outbox (the dispatcher signals each
    /// outbox once per batch); true if it queued any.
    public bool Offer(IReadOnlyList<SharedEvent> events)
    {
        var queued = false;
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }
            foreach (var change in events)
            {
                if (!Concerns(change.Change))
                {
                    continue;
                }
                if (_buffer is not null)
                {
                    _buffer.Add(change);
                }
                else
                {
                    queued |= Deliver(change);
                }
            }
        }
        return queued;
    }

    /// Queues the first message, then the buffered events after its revision, and goes live.
    public void Start(long revision, Action queueFirstMessage)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            queueFirstMessage();
            _delivered = revision;
            foreach (var change in _buffer!)
            {
                Deliver(change);
            }
            _buffer = null;
        }
        outbox.Flush();
    }

    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _buffer = null;
        }
    }

    /// Field equalities are left out: an item whose fields stop matching must still reach the
    /// subscriber, marked as no longer matching, so that it leaves the replica.
    public bool Concerns(ChangeEvent change) =>
        pattern.MatchesType(change.Item.Type) && (pattern.Responsible is null || pattern.Responsible == change.Item.Responsible);

    private bool Deliver(SharedEvent shared)
    {
        var change = shared.Change;
        if (change.Revision <= _delivered)
        {
            return false;
        }
        _delivered = change.Revision;
        if (change.ValueOnly)
        {
            if (!options.OwnValues && change.By is { } by && ReferenceEquals(by, owner()))
            {
                return false;
            }
            if (_compactValues)
            {
                outbox.Append(new OutboxValue(id, shared));
                return true;
            }
        }
        outbox.Append(new OutboxEvent(id, new EventFrame(shared, pattern.Matches(change.Item)), change.Unreliable));
        return true;
    }
}

/// What a subscription asked for beyond its pattern (SubscribeRequest's compactValues and ownValues).
internal sealed record SubscriptionOptions(bool CompactValues, bool OwnValues)
{
    public static readonly SubscriptionOptions Default = new(false, false);
}
