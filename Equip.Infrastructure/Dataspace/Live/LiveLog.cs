using Equip.Domain.Dataspace;

namespace Equip.Infrastructure.Dataspace.Live;

/// The part of the change log not yet in the store: events of written-behind changes, published
/// but not flushed. The stored log holds every event through Flushed; these all come after it.
/// An unreliable update replaces a still unflushed unreliable update of the same item, as a
/// lagging subscriber's outbox does: the log keeps the latest value, not every step.
/// Also knows the revision ranges a crash may have lost (see RevisionGap).
internal sealed class LiveLog
{
    private readonly Lock _gate = new();
    private readonly List<ChangeEvent?> _pending = [];
    private readonly Dictionary<Guid, int> _squashable = [];
    private List<RevisionGap> _gaps = [];

    /// Every event through this revision is in the stored log.
    public long Flushed { get; private set; }

    /// The stored log starts after this revision.
    public long PrunedThrough { get; private set; }

    public void Load(long flushed, long prunedThrough, IEnumerable<RevisionGap> gaps)
    {
        lock (_gate)
        {
            Flushed = flushed;
            PrunedThrough = prunedThrough;
            _gaps = [.. gaps];
        }
    }

    /// The last unflushed event of the item, if it has one.
    public ChangeEvent? LastUnflushedOf(Guid id)
    {
        lock (_gate)
        {
            return _pending.LastOrDefault(e => e?.Item.Id == id);
        }
    }

    public void Append(IReadOnlyList<ChangeEvent> events)
    {
        lock (_gate)
        {
            foreach (var change in events)
            {
                if (_squashable.Remove(change.Item.Id, out var older) && change.Unreliable)
                {
                    _pending[older] = null;
                }
                if (change.Unreliable)
                {
                    _squashable[change.Item.Id] = _pending.Count;
                }
                _pending.Add(change);
            }
        }
    }

    /// The unflushed events, in revision order, for the writer to store.
    public List<ChangeEvent> Unflushed()
    {
        lock (_gate)
        {
            return [.. _pending.OfType<ChangeEvent>()];
        }
    }

    /// The store now holds every event through the revision.
    public void MarkFlushed(long revision, long prunedThrough)
    {
        lock (_gate)
        {
            _pending.Clear();
            _squashable.Clear();
            Flushed = revision;
            PrunedThrough = prunedThrough;
        }
    }

    /// The unflushed events after the revision (up to limit), and the revision through which the
    /// stored log is to be read for the ones before them.
    public (List<ChangeEvent> Events, long StoredThrough) After(long revision, int limit)
    {
        lock (_gate)
        {
            var events = _pending.OfType<ChangeEvent>().Where(e => e.Revision > revision).Take(limit).ToList();
            return (events, Flushed);
        }
    }

    /// The gap a resume from this revision falls into: the crash may have lost events after it.
    public RevisionGap? GapOf(long revision)
    {
        lock (_gate)
        {
            return _gaps.FirstOrDefault(g => g.Contains(revision));
        }
    }
}

/// Revisions After+1..Through were handed out before a crash, and the changes written behind in
/// them may be lost: a client resuming from inside the range must take a new snapshot.
internal sealed record RevisionGap(long After, long Through)
{
    public bool Contains(long revision) => revision > After && revision <= Through;
}
