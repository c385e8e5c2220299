using Equip.Domain.Dataspace;

namespace Equip.Web.Hubs;

/// One subscription of a connection. Until its first message (snapshot or replay) is queued it
/// buffers live events; from then on it passes on those after the revision it started from, so
/// there is neither a gap nor a duplicate between the two.
internal sealed class Subscription(string id, Pattern pattern, Outbox outbox)
{
    private readonly Lock _gate = new();
    private List<ChangeEvent>? _buffer = [];
    private long _delivered;

    public string Id => id;

    public Pattern Pattern => pattern;

    public void Offer(IReadOnlyList<ChangeEvent> events)
    {
        lock (_gate)
        {
            foreach (var change in events.Where(Concerns))
            {
                if (_buffer is not null)
                {
                    _buffer.Add(change);
                }
                else
                {
                    Deliver(change);
                }
            }
        }
    }

    /// Queues the first message, then the buffered events after its revision, and goes live.
    public void Start(long revision, Action queueFirstMessage)
    {
        lock (_gate)
        {
            queueFirstMessage();
            _delivered = revision;
            foreach (var change in _buffer!)
            {
                Deliver(change);
            }
            _buffer = null;
        }
    }

    /// Field equalities are left out: an item whose fields stop matching must still reach the
    /// subscriber, marked as no longer matching, so that it leaves the replica.
    public bool Concerns(ChangeEvent change) =>
        pattern.MatchesType(change.Item.Type) && (pattern.Responsible is null || pattern.Responsible == change.Item.Responsible);

    private void Deliver(ChangeEvent change)
    {
        if (change.Revision <= _delivered)
        {
            return;
        }
        _delivered = change.Revision;
        outbox.Enqueue(new OutboxEvent(id, change.ToWire(matches: pattern.Matches(change.Item)), change.Unreliable));
    }
}
