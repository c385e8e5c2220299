using Equip.Domain.Dataspace;
using Equip.Infrastructure.Dataspace.Live;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.ChangeLog;

/// The items as they were at revision R: every item not changed since R is as it is now; every
/// item changed (or deleted) after R is as its latest event through R left it, absent when that
/// was a delete or when it has none (it was added after R). The latest event is read from memory
/// where memory holds it (a contiguous tail of the log), else from the store, where the pruner
/// keeps each item's latest event below the retained log for this (ChangeLogPruner). A value
/// superseded before it was stored was never logged: its predecessor shows in its place.
internal sealed class ItemHistory(LiveItems items, LiveLog log, IDbContextFactory<EquipDbContext> contexts, ItemLimits limits)
    : IItemHistory
{
    private const int IdsPerQuery = 500;

    public async Task<DataspaceSnapshot> AtAsync(Pattern pattern, long revision, Guid? after, int limit, CancellationToken cancellationToken)
    {
        pattern.Validate(limits);
        var now = items.Query(Pattern.All, null, int.MaxValue); // first: every change after it is then in the log read below
        if (revision > now.Revision)
        {
            throw new InvalidItemException($"Revision {revision} is still to come: the current revision is {now.Revision}.");
        }
        var changed = await ChangedAfterAsync(revision, cancellationToken);
        changed.UnionWith(now.Items.Where(i => i.Revision > revision).Select(i => i.Id)); // a change squashed into a later one
        var then = now.Items.Where(i => !changed.Contains(i.Id)).ToList();
        then.AddRange(await LatestThroughAsync(revision, changed, cancellationToken));
        var found = then
            .Where(i => (after is not { } from || i.Id.CompareTo(from) > 0) && pattern.Matches(i))
            .OrderBy(i => i.Id)
            .Take(limit)
            .ToList();
        return new DataspaceSnapshot(found, revision);
    }

    public long EarliestRevision => log.PrunedThrough;

    public async Task<long> RevisionAtAsync(DateTimeOffset time, CancellationToken cancellationToken)
    {
        if (log.LatestAtOrBefore(time) is { } remembered)
        {
            return remembered;
        }
        var earliest = log.PrunedThrough;
        await using var db = contexts.CreateDbContext();
        var stored = await db.ChangeLog.AsNoTracking()
            .Where(e => e.Revision > earliest && e.OccurredAt <= time)
            .MaxAsync(e => (long?)e.Revision, cancellationToken);
        return stored ?? earliest;
    }

    /// The items with an event after the revision: from memory, and from the store for what is
    /// older than memory holds (only their ids are read). A revision the log no longer reaches,
    /// or one inside a crash gap, is refused as ReadChangesAsync refuses it.
    private async Task<HashSet<Guid>> ChangedAfterAsync(long revision, CancellationToken cancellationToken)
    {
        log.EnsureReaches(revision);
        var (changed, completeAfter) = log.ItemsChangedAfter(revision);
        if (revision < completeAfter)
        {
            await using var db = contexts.CreateDbContext();
            var stored = await db.ChangeLog.AsNoTracking()
                .Where(e => e.Revision > revision && e.Revision <= completeAfter)
                .Select(e => e.ItemId)
                .Distinct()
                .ToListAsync(cancellationToken);
            changed.UnionWith(stored);
            log.EnsureReaches(revision); // pruned meanwhile: what was read may lack events
        }
        return changed;
    }

    /// The items as their latest event through the revision left them (deleted ones left out).
    private async Task<List<ItemState>> LatestThroughAsync(long revision, HashSet<Guid> ids, CancellationToken cancellationToken)
    {
        var latest = log.LatestThrough(revision, ids);
        var unresolved = ids.Where(id => !latest.ContainsKey(id)).ToList();
        await using var db = contexts.CreateDbContext();
        foreach (var chunk in unresolved.Chunk(IdsPerQuery))
        {
            var revisions = await db.ChangeLog.AsNoTracking()
                .Where(e => chunk.Contains(e.ItemId) && e.Revision <= revision)
                .GroupBy(e => e.ItemId)
                .Select(g => g.Max(e => e.Revision))
                .ToListAsync(cancellationToken);
            var entries = await db.ChangeLog.AsNoTracking().Where(e => revisions.Contains(e.Revision)).ToListAsync(cancellationToken);
            foreach (var entry in entries)
            {
                latest[entry.ItemId] = entry.ToEvent();
            }
        }
        return [.. latest.Values.Where(e => e.Kind != ChangeKind.Deleted).Select(e => e.Item)];
    }
}
