using Equip.Domain.Dataspace;
using Equip.Infrastructure.Dataspace;
using Equip.Infrastructure.Dataspace.Live;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.Cluster;

/// A follower's live state (docs/scaling.md): loaded from the store once (reading only), then kept
/// up to date by the leader's stream. Each batch goes through the same live items, change log and
/// change feed as the leader's writer uses, so that subscribers, dashboards and reads behave the
/// same on every node. Batches come from one reader, in order.
public sealed class Replica
{
    private readonly IDbContextFactory<EquipDbContext> _contexts;
    private readonly LiveItems _live;
    private readonly LiveLog _log;
    private readonly ChangeBroadcaster _broadcaster;
    private long _term;
    private long _loadedRevision = -1;

    internal Replica(IDbContextFactory<EquipDbContext> contexts, LiveItems live, LiveLog log, ChangeBroadcaster broadcaster)
    {
        _contexts = contexts;
        _live = live;
        _log = log;
        _broadcaster = broadcaster;
    }

    /// The revision applied so far.
    public long Revision => _live.Revision;

    /// Where the stream resumes: after the revision applied; but a copy loaded from a store whose
    /// revision ends a crash gap (the leader recovered from a crash just before) holds every
    /// change there is through it, and the leader refuses a resume from inside a gap (a client
    /// there may have seen lost changes): it resumes from before the gap, and what it has is skipped.
    public long FollowFrom => _live.Revision == _loadedRevision && _log.GapOf(_loadedRevision) is { } gap ? gap.After : _live.Revision;

    /// Loads the stored items and log as one snapshot, writing nothing.
    public async Task LoadAsync(long term, CancellationToken cancellationToken)
    {
        _term = term;
        await using var db = _contexts.CreateDbContext();
        await using var snapshot = await db.BeginSnapshotAsync(cancellationToken);
        var state = await db.State.AsNoTracking().SingleAsync(cancellationToken);
        var gaps = await db.RevisionGaps.AsNoTracking().Where(g => g.Through > state.PrunedThrough).ToListAsync(cancellationToken);
        var items = await db.Items.AsNoTracking().ToListAsync(cancellationToken);
        var recent = await db.ChangeLog.AsNoTracking().Where(e => e.Revision > state.PrunedThrough).OrderByDescending(e => e.Revision).Take(_log.Window).ToListAsync(cancellationToken);
        recent.Reverse();
        _live.Load(items, state.CurrentRevision);
        _loadedRevision = state.CurrentRevision;
        _log.Load(state.CurrentRevision, state.PrunedThrough, [.. recent.Select(e => e.ToEvent())], gaps.Select(g => new RevisionGap(g.After, g.Through)));
    }

    /// Applies a batch of the leader's stream; false when it comes from an earlier term than the
    /// one this node follows (a fenced leader's), which is dropped whole.
    public bool Apply(ReplicatedBatch batch)
    {
        if (batch.Term < _term)
        {
            return false;
        }
        _log.AddGaps(batch.Gaps.Select(g => new RevisionGap(g.After, g.Through)));
        var events = batch.Events.Where(e => e.Revision > _live.Revision).ToList();
        if (events.Count > 0)
        {
            var changes = new Dictionary<Guid, Item?>();
            foreach (var change in events)
            {
                changes[change.Item.Id] = change.Kind == ChangeKind.Deleted ? null : Item.Replicate(change.Item);
            }
            _log.Append(events);
            _live.Apply(changes, [], events[^1].Revision);
            _broadcaster.Publish(events);
        }
        _log.MarkFlushed(Math.Min(batch.Flushed, _live.Revision), batch.PrunedThrough);
        return true;
    }
}
