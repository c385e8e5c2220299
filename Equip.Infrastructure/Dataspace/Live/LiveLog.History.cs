using Equip.Domain.Dataspace;

namespace Equip.Infrastructure.Dataspace.Live;

/// What the log in memory answers for the dataspace as it was (ChangeLog.ItemHistory). Memory
/// holds a tail of the log without holes (the window of stored events, then the unflushed ones,
/// in revision order), so what it finds is final for the revisions it holds.
internal sealed partial class LiveLog
{
    /// The events memory holds, in revision order. The caller holds the lock.
    private IEnumerable<ChangeEvent> Tail => _stored.Concat(_pending.OfType<ChangeEvent>());

    /// The items with an event in memory after the revision, and the revision after which memory
    /// holds every event (the store must be asked for those through it, when the revision is older).
    public (HashSet<Guid> Items, long CompleteAfter) ItemsChangedAfter(long revision)
    {
        lock (_gate)
        {
            var items = new HashSet<Guid>();
            foreach (var change in Tail)
            {
                if (change.Revision > revision)
                {
                    items.Add(change.Item.Id);
                }
            }
            return (items, _storedAfter);
        }
    }

    /// Of the given items, the latest event through the revision that memory holds. Memory holds
    /// a tail of the log without holes, so an event found here is the item's latest through the
    /// revision; an item not found has its latest one in the store.
    public Dictionary<Guid, ChangeEvent> LatestThrough(long revision, IReadOnlySet<Guid> ids)
    {
        lock (_gate)
        {
            var latest = new Dictionary<Guid, ChangeEvent>();
            foreach (var change in Tail)
            {
                if (change.Revision > revision)
                {
                    break;
                }
                if (ids.Contains(change.Item.Id))
                {
                    latest[change.Item.Id] = change;
                }
            }
            return latest;
        }
    }

    /// The revision of the last event in memory that occurred at or before the time, or null
    /// when memory does not reach back to it (its first event is later).
    public long? LatestAtOrBefore(DateTimeOffset time)
    {
        lock (_gate)
        {
            long? latest = null;
            foreach (var change in Tail)
            {
                if (change.OccurredAt > time)
                {
                    return latest;
                }
                latest = change.Revision;
            }
            return latest ?? (Flushed == 0 ? 0 : null);
        }
    }
}
