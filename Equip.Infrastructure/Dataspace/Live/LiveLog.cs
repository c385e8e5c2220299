using Equip.Domain.Dataspace;

namespace Equip.Infrastructure.Dataspace.Live;

/// The change log as far as memory holds it: the events not stored yet (published but not
/// flushed; the stored log holds every event through Flushed, these all come after it), and a
/// window of the latest stored ones, so that a reader resuming from a recent revision (a peer
/// re-subscribing after a reconnect, a REST follower) is answered without reading the store.
/// An unreliable update replaces a still unflushed unreliable update of the same item, as a
/// lagging subscriber's outbox does: the log keeps the latest value, not every step.
/// Also knows the revision ranges a crash may have lost (see RevisionGap). Thread-safe: the
/// writer appends, readers read under the lock.
internal sealed partial class LiveLog(int window)
{
    private readonly Lock _gate = new();
    private readonly List<ChangeEvent?> _pending = [];
    private readonly Dictionary<Guid, int> _squashable = [];
    private readonly Queue<ChangeEvent> _stored = new();
    private long _storedAfter;
    private List<RevisionGap> _gaps = [];

    /// How many of the latest stored events are kept in memory.
    public int Window => window;

    /// Every event through this revision is in the stored log.
    public long Flushed { get; private set; }

    /// The stored log starts after this revision.
    public long PrunedThrough { get; private set; }

    /// The log as the store has it: stored through flushed, pruned through prunedThrough, the
    /// latest stored events (at most the window, in revision order) and the crash gaps.
    public void Load(long flushed, long prunedThrough, IReadOnlyList<ChangeEvent> recent, IEnumerable<RevisionGap> gaps)
    {
        lock (_gate)
        {
            Flushed = flushed;
            PrunedThrough = prunedThrough;
            _gaps = [.. gaps];
            _stored.Clear();
            foreach (var change in recent.Skip(Math.Max(0, recent.Count - window)))
            {
                _stored.Enqueue(change);
            }
            // Every stored event after this revision is in the window: all of the retained log when
            // it held fewer than the window, else those from the first one loaded.
            _storedAfter = window == 0 ? flushed
                : recent.Count < window ? prunedThrough
                : _stored.Peek().Revision - 1;
        }
    }

    /// Crash gaps another node recorded (a follower learns them from its leader's stream).
    public void AddGaps(IEnumerable<RevisionGap> gaps)
    {
        lock (_gate)
        {
            _gaps = [.. _gaps.Concat(gaps).DistinctBy(g => g.After).OrderBy(g => g.After)];
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

    /// The store now holds every event through the revision (and the stored log starts after
    /// prunedThrough): the unflushed events through it join the window of stored ones.
    public void MarkFlushed(long revision, long prunedThrough)
    {
        lock (_gate)
        {
            var kept = 0;
            for (var i = 0; i < _pending.Count; i++)
            {
                if (_pending[i] is not { } change)
                {
                    continue;
                }
                if (change.Revision <= revision)
                {
                    _stored.Enqueue(change);
                }
                else
                {
                    _pending[kept++] = change;
                }
            }
            _pending.RemoveRange(kept, _pending.Count - kept);
            _squashable.Clear();
            for (var i = 0; i < _pending.Count; i++)
            {
                if (_pending[i]!.Unreliable)
                {
                    _squashable[_pending[i]!.Item.Id] = i;
                }
            }
            while (_stored.Count > window || (_stored.TryPeek(out var oldest) && oldest.Revision <= prunedThrough))
            {
                _storedAfter = _stored.Dequeue().Revision;
            }
            _storedAfter = Math.Max(_storedAfter, prunedThrough);
            Flushed = Math.Max(Flushed, revision);
            PrunedThrough = prunedThrough;
        }
    }

    /// The events in memory after the revision (up to limit), and whether they are all there is
    /// through the current revision: false when the stored log must be read for the events
    /// through StoredThrough first (the revision is older than the window).
    public (List<ChangeEvent> Events, bool Complete, long StoredThrough) After(long revision, int limit)
    {
        lock (_gate)
        {
            var complete = revision >= _storedAfter;
            var events = new List<ChangeEvent>(Math.Min(limit, 256));
            if (complete)
            {
                foreach (var change in _stored)
                {
                    if (events.Count == limit)
                    {
                        break;
                    }
                    if (change.Revision > revision)
                    {
                        events.Add(change);
                    }
                }
            }
            foreach (var change in _pending)
            {
                if (events.Count == limit)
                {
                    break;
                }
                if (change is not null && change.Revision > revision)
                {
                    events.Add(change);
                }
            }
            return (events, complete, Flushed);
        }
    }

    /// Refuses a reader resuming from the revision (ChangeLogCompactedException, 410) when a crash
    /// may have lost changes after it (it lies in a gap), or when the log starts after it.
    public void EnsureReaches(long revision)
    {
        if (GapOf(revision) is { } gap)
        {
            throw new ChangeLogCompactedException(revision, gap.Through + 1);
        }
        if (revision < PrunedThrough)
        {
            throw new ChangeLogCompactedException(revision, PrunedThrough + 1);
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

    /// The gaps that begin in the range (after, through]: revisions a crash skipped.
    public List<RevisionGap> GapsIn(long after, long through)
    {
        lock (_gate)
        {
            return [.. _gaps.Where(g => g.After >= after && g.After < through)];
        }
    }
}

/// Revisions After+1..Through were handed out before a crash, and the changes written behind in
/// them may be lost: a client resuming from inside the range must take a new snapshot.
internal sealed record RevisionGap(long After, long Through)
{
    public bool Contains(long revision) => revision > After && revision <= Through;
}
