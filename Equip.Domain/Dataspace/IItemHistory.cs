namespace Equip.Domain.Dataspace;

/// The dataspace as it was at an earlier revision (docs/rest-api.md, "Items as they were"): read
/// from the current items and the retained change log, without touching the live path.
public interface IItemHistory
{
    /// The items matching the pattern as they were at the revision, in id order after the given
    /// id. Throws ChangeLogCompactedException when the log no longer reaches back to the revision
    /// (or a crash may have lost changes around it), InvalidItemException when it is still to come.
    Task<DataspaceSnapshot> AtAsync(Pattern pattern, long revision, Guid? after, int limit, CancellationToken cancellationToken = default);

    /// The earliest revision AtAsync can answer for: where the retained log starts.
    long EarliestRevision { get; }

    /// The revision the dataspace was at, at that moment: that of the last event that occurred
    /// at or before it (the earliest revision when the log no longer reaches back so far).
    Task<long> RevisionAtAsync(DateTimeOffset time, CancellationToken cancellationToken = default);
}
