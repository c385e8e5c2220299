using Equip.Domain.Dataspace;
using Equip.Infrastructure.Dataspace.Live;
using Equip.Infrastructure.Persistence;
using Equip.Infrastructure.Cluster;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Equip.Infrastructure.Dataspace;

/// The dataspace: writes go through the write queue (on a cluster's follower, to the leader);
/// items are read from memory (the live items), the change log from the store and, for what is not
/// stored yet, from memory.
internal sealed class LiveDataspace(IDbContextFactory<EquipDbContext> contexts, DataspaceWriter writes, LiveItems items, LiveLog log,
    ReadGate reads, ItemLimits limits, Leadership leadership, IServiceProvider services) : IDataspace
{
    private ILeaderWrites Leader => services.GetRequiredService<ILeaderWrites>();

    public Task<AddResult> AddAsync(AddItem command, CancellationToken cancellationToken)
    {
        ItemRules.Validate(command, limits);
        return leadership.Follows ? Leader.AddAsync(command, cancellationToken) : writes.EnqueueAsync(new AddItemOperation(command), cancellationToken);
    }

    public Task<ItemState> UpdateAsync(UpdateItem command, CancellationToken cancellationToken)
    {
        ItemRules.Validate(command, limits);
        return leadership.Follows ? Leader.UpdateAsync(command, cancellationToken) : writes.EnqueueAsync(new UpdateItemOperation(command), cancellationToken);
    }

    public async ValueTask EnqueueValuesAsync(SetValues command, CancellationToken cancellationToken)
    {
        if (leadership.Follows)
        {
            _ = Leader.SetValuesAsync(command, cancellationToken); // its outcome goes to OnApplied
            return;
        }
        await writes.QueueAsync(ToOperation(command), cancellationToken);
    }

    public async Task<ValuesOutcome> SetValuesAsync(SetValues command, CancellationToken cancellationToken) =>
        leadership.Follows ? await Leader.SetValuesAsync(command, cancellationToken) : await writes.EnqueueAsync(ToOperation(command), cancellationToken);

    /// The values' own checks run here, on the caller's thread; a call that breaks a rule as a
    /// whole still goes through the writer, so that its outcome comes in the order it was sent.
    private SetValuesOperation ToOperation(SetValues command)
    {
        List<ValueRefusal>? refused = null;
        var refuseAll = command.Refused ?? (command.Values.Count > limits.MaxValuesPerCall
            ? new LimitReachedException(nameof(ItemLimits.MaxValuesPerCall),
                $"One SetValues carries at most {limits.MaxValuesPerCall} values; this one has {command.Values.Count}. Send them in several calls.")
            : null);
        if (refuseAll is null)
        {
            for (var i = 0; i < command.Values.Count; i++)
            {
                try
                {
                    if (command.Values[i].Value.ValueKind == System.Text.Json.JsonValueKind.Undefined)
                    {
                        throw new InvalidItemException($"Entry {i} could not be read: an entry is [itemId, value], the id a GUID string, the value a JSON value.");
                    }
                    JsonRules.ValidateValue(command.Values[i].Value, limits, $"value {i}");
                }
                catch (DataspaceException refusal)
                {
                    (refused ??= []).Add(new ValueRefusal(i, refusal));
                }
            }
        }
        return new SetValuesOperation(command, limits, refused) { RefuseAll = refuseAll };
    }

    public Task DeleteAsync(DeleteItem command, CancellationToken cancellationToken) =>
        leadership.Follows ? Leader.DeleteAsync(command, cancellationToken) : writes.EnqueueAsync(new DeleteItemOperation(command), cancellationToken);

    public Task<ItemState> RenewLeaseAsync(RenewLease command, CancellationToken cancellationToken) =>
        leadership.Follows ? Leader.RenewLeaseAsync(command, cancellationToken) : writes.EnqueueAsync(new RenewLeaseOperation(command), cancellationToken);

    public Task<ItemState?> GetAsync(Guid id, CancellationToken cancellationToken) => Task.FromResult(items.Get(id));

    public Task<IReadOnlyList<ItemState>> QueryAsync(Pattern pattern, Guid? after, int limit, CancellationToken cancellationToken)
    {
        pattern.Validate(limits);
        return Task.FromResult(items.Query(pattern, after, limit).Items);
    }

    public Task<DataspaceSnapshot> SnapshotAsync(Pattern pattern, CancellationToken cancellationToken)
    {
        pattern.Validate(limits);
        return Task.FromResult(items.Query(pattern, null, int.MaxValue));
    }

    public Task<ChangePage> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken) =>
        reads.RunAsync(() => ReadChangePageAsync(after, limit, cancellationToken), cancellationToken);

    private async Task<ChangePage> ReadChangePageAsync(long after, int limit, CancellationToken cancellationToken)
    {
        // A crash may have lost changes the reader saw: it must start again from a snapshot.
        log.EnsureReaches(after);
        // The revision first: every event through it is then in memory or the store.
        var current = items.Revision;
        var (remembered, complete, storedThrough) = log.After(after, limit);
        log.EnsureReaches(after); // pruned meanwhile
        var events = remembered;
        if (!complete && after < storedThrough)
        {
            events = await ReadStoredAsync(after, storedThrough, limit, cancellationToken);
            events.AddRange(remembered.Where(e => e.Revision > storedThrough).Take(limit - events.Count));
        }
        events.RemoveAll(e => e.Revision > current);
        var through = events.Count == limit ? events[^1].Revision : current;
        return new ChangePage(events, current, [.. log.GapsIn(after, through).Select(g => new RevisionRange(g.After, g.Through))]);
    }

    /// The stored events after the revision, through storedThrough: older than the memory holds.
    private async Task<List<ChangeEvent>> ReadStoredAsync(long after, long storedThrough, int limit, CancellationToken cancellationToken)
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
            .Where(e => e.Revision > after && e.Revision <= storedThrough)
            .OrderBy(e => e.Revision)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return [.. entries.Select(e => e.ToEvent())];
    }
}
