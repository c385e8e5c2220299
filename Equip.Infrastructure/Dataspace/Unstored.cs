using System.Diagnostics;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Dataspace.Live;

namespace Equip.Infrastructure.Dataspace;

/// What the store does not have yet: the items changed by batches that were applied and answered
/// without a commit (the latest state of each), and their events (kept in the LiveLog, where
/// readers find them until they are stored). A commit or a flush takes a StoreWork of all of it,
/// and once that is stored the entries it wrote are dropped unless they changed again meanwhile
/// (a flush runs beside the writer). A write of unknown outcome is simply written again: rows
/// are upserted and log entries kept once (StoreWriter). Writer's thread only.
internal sealed class Unstored(LiveLog log)
{
    private readonly Dictionary<Guid, Dirty> _dirty = [];
    private long _stamp;

    /// When the oldest change not stored was applied (a Stopwatch timestamp), or null.
    public long? Since { get; private set; }

    public LiveLog Log => log;

    /// Changes applied and published without a commit: a later commit or flush stores them
    /// (values set in place by writing the live item as it is then).
    public void Defer(IEnumerable<ItemChange> changes, IEnumerable<ValueChange> values, IReadOnlyList<ChangeEvent> events)
    {
        foreach (var change in changes)
        {
            _dirty[change.Id] = new Dirty(change.Current ?? change.Original!, change.Current is null, ++_stamp);
        }
        foreach (var value in values)
        {
            _dirty[value.State.Id] = new Dirty(value.Item, false, ++_stamp);
        }
        log.Append(events);
        Since ??= Stopwatch.GetTimestamp();
    }

    /// Everything the store lacks, with the batch's own changes when it commits, as rows and log
    /// entries to write through the revision; nothing here changes until Stored.
    public StoreWork Take(long through, long ceiling, long prunedThrough, WriteContext? batch = null)
    {
        var rows = new Dictionary<Guid, StoreRow>(_dirty.Count);
        foreach (var (id, dirty) in _dirty)
        {
            // A copy: a value set in place later must not change the row while it is written.
            rows[id] = new StoreRow(dirty.Item.Copy(), dirty.Deleted, dirty.Stamp);
        }
        var events = log.Unflushed();
        if (batch is not null)
        {
            foreach (var change in batch.Changes())
            {
                rows[change.Id] = new StoreRow(change.Current ?? change.Original!, change.Current is null, 0);
            }
            foreach (var value in batch.Values)
            {
                var row = value.Item.Copy(); // set in place only once the batch is published
                row.SetValue(value.Value, value.State.Revision, value.State.UpdatedAt);
                rows[value.State.Id] = new StoreRow(row, false, 0);
            }
            events.AddRange(batch.Events);
        }
        return new StoreWork([.. rows.Values], events, through, ceiling, prunedThrough);
    }

    /// The work is stored: what it wrote is no longer unstored, unless it changed since.
    public void Stored(StoreWork work)
    {
        foreach (var row in work.Rows)
        {
            if (row.Stamp == 0 || (_dirty.TryGetValue(row.Id, out var dirty) && dirty.Stamp == row.Stamp))
            {
                _dirty.Remove(row.Id);
            }
        }
        log.MarkFlushed(work.Through, work.PrunedThrough);
        Since = _dirty.Count > 0 ? Stopwatch.GetTimestamp() : null;
    }

    private sealed record Dirty(Item Item, bool Deleted, long Stamp);
}

/// One write of the store: the rows (Deleted: delete it, else insert or update it), the change
/// log entries, and the state row's revision, ceiling and prune point.
internal sealed record StoreWork(IReadOnlyList<StoreRow> Rows, IReadOnlyList<ChangeEvent> Events, long Through, long Ceiling, long PrunedThrough);

/// The item as it is to be stored (a copy no one changes) and whether to delete its row; Stamp
/// tells a flushed entry from one changed again while it was written (0: the committing batch's own).
internal sealed record StoreRow(Item Item, bool Deleted, long Stamp)
{
    public Guid Id => Item.Id;
}

/// One item as a batch left it: Current is null when the batch deleted it; Original is the item
/// before the batch (null when the batch added it).
internal readonly record struct ItemChange(Guid Id, Item? Original, Item? Current)
{
    public bool IsChange => Original is null ? Current is not null : Current is null || !Current.IsSameVersion(Original);

    /// Changes only to process-bound items may be written behind.
    public bool IsProcessBound => (Original?.ProcessBound ?? true) && (Current?.ProcessBound ?? true);
}
