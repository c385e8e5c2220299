using Equip.Domain.Dataspace;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.Dataspace;

/// The dataspace on EF Core: writes go through the write queue, reads straight to the store.
internal sealed class EfDataspace(IDbContextFactory<EquipDbContext> contexts, WriteQueue writes, ReadGate reads) : IDataspace
{
    private const int FilterChunk = 500;

    public Task<AddResult> AddAsync(AddItem command, CancellationToken cancellationToken)
    {
        ItemRules.Validate(command);
        return writes.EnqueueAsync(new AddItemOperation(command), cancellationToken);
    }

    public Task<ItemState> UpdateAsync(UpdateItem command, CancellationToken cancellationToken)
    {
        ItemRules.Validate(command);
        return writes.EnqueueAsync(new UpdateItemOperation(command), cancellationToken);
    }

    public Task DeleteAsync(DeleteItem command, CancellationToken cancellationToken) =>
        writes.EnqueueAsync(new DeleteItemOperation(command), cancellationToken);

    public Task<ItemState> RenewLeaseAsync(RenewLease command, CancellationToken cancellationToken) =>
        writes.EnqueueAsync(new RenewLeaseOperation(command), cancellationToken);

    public Task<ItemState?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        reads.RunAsync(async () =>
        {
            await using var db = contexts.CreateDbContext();
            var item = await db.Items.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, cancellationToken);
            return item?.ToState();
        }, cancellationToken);

    public Task<IReadOnlyList<ItemState>> QueryAsync(Pattern pattern, Guid? after, int limit, CancellationToken cancellationToken)
    {
        pattern.Validate();
        return reads.RunAsync(async () =>
        {
            await using var db = contexts.CreateDbContext();
            return await QueryAsync(db, pattern, after, limit, cancellationToken);
        }, cancellationToken);
    }

    public Task<DataspaceSnapshot> SnapshotAsync(Pattern pattern, CancellationToken cancellationToken)
    {
        pattern.Validate();
        return reads.RunAsync(() => ReadSnapshotAsync(pattern, cancellationToken), cancellationToken);
    }

    private async Task<DataspaceSnapshot> ReadSnapshotAsync(Pattern pattern, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        await using var snapshot = await db.BeginSnapshotAsync(cancellationToken);
        var state = await db.State.AsNoTracking().SingleAsync(cancellationToken);
        var items = await QueryAsync(db, pattern, null, int.MaxValue, cancellationToken);
        return new DataspaceSnapshot(items, state.CurrentRevision);
    }

    private static async Task<IReadOnlyList<ItemState>> QueryAsync(EquipDbContext db, Pattern pattern, Guid? after, int limit, CancellationToken cancellationToken)
    {
        var query = db.Items.AsNoTracking();
        query = pattern.IsPrefix
            ? query.Where(i => i.Type.StartsWith(pattern.TypePrefix))
            : query.Where(i => i.Type == pattern.Type);
        if (pattern.Responsible is { } responsible)
        {
            query = query.Where(i => i.Responsible == responsible);
        }

        // The SQL only narrows (SQLite's LIKE ignores case, and field equalities are not in it): the
        // pattern itself decides, the same way on both providers.
        var narrowedOnly = pattern.IsPrefix || pattern.Fields is { Count: > 0 };
        var chunk = narrowedOnly || limit > FilterChunk ? FilterChunk : limit;
        var found = new List<ItemState>(Math.Min(limit, 1024));
        var cursor = after;
        while (found.Count < limit)
        {
            var page = await After(query, cursor).OrderBy(i => i.Id).Take(chunk).ToListAsync(cancellationToken);
            found.AddRange(page.Select(i => i.ToState()).Where(pattern.Matches).Take(limit - found.Count));
            if (page.Count < chunk)
            {
                break;
            }
            cursor = page[^1].Id;
        }
        return found;
    }

    public Task<ChangePage> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken) =>
        reads.RunAsync(() => ReadChangePageAsync(after, limit, cancellationToken), cancellationToken);

    private async Task<ChangePage> ReadChangePageAsync(long after, int limit, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        // One snapshot for the state and the events, so a prune in between cannot leave a silent gap.
        await using var snapshot = await db.BeginSnapshotAsync(cancellationToken);
        var state = await db.State.AsNoTracking().SingleAsync(cancellationToken);
        if (after < state.PrunedThrough)
        {
            throw new ChangeLogCompactedException(after, state.PrunedThrough + 1);
        }
        var entries = await db.ChangeLog.AsNoTracking()
            .Where(e => e.Revision > after)
            .OrderBy(e => e.Revision)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return new ChangePage(entries.Select(e => e.ToEvent()).ToList(), state.CurrentRevision);
    }

    private static IQueryable<Item> After(IQueryable<Item> query, Guid? cursor) =>
        cursor is { } id ? query.Where(i => i.Id.CompareTo(id) > 0) : query;
}
