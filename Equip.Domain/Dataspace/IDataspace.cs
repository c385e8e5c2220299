namespace Equip.Domain.Dataspace;

/// The shared dataspace. Every write is durable when its task completes and gets the next global
/// revision; reads see only committed state.
public interface IDataspace
{
    Task<AddResult> AddAsync(AddItem command, CancellationToken cancellationToken = default);

    Task<ItemState> UpdateAsync(UpdateItem command, CancellationToken cancellationToken = default);

    Task DeleteAsync(DeleteItem command, CancellationToken cancellationToken = default);

    Task<ItemState> RenewLeaseAsync(RenewLease command, CancellationToken cancellationToken = default);

    /// Queues the values, waiting while the writer is full, and returns once they are queued;
    /// the outcome goes to the command's OnApplied. Values that break the item rules are refused
    /// each on its own; the others are applied.
    ValueTask EnqueueValuesAsync(SetValues command, CancellationToken cancellationToken = default);

    /// Sets the values and answers once they are applied; a refusal of the whole call (fencing,
    /// too many values, the server stopping) fails the task instead.
    Task<ValuesOutcome> SetValuesAsync(SetValues command, CancellationToken cancellationToken = default);

    Task<ItemState?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    /// Items matching the pattern in id order, starting after the given id.
    Task<IReadOnlyList<ItemState>> QueryAsync(Pattern pattern, Guid? after, int limit, CancellationToken cancellationToken = default);

    /// Every item matching the pattern, and the revision they were read at, from one snapshot.
    Task<DataspaceSnapshot> SnapshotAsync(Pattern pattern, CancellationToken cancellationToken = default);

    /// Events with a revision above after, in revision order; throws ChangeLogCompactedException
    /// when some of them are no longer retained.
    Task<ChangePage> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken = default);
}
