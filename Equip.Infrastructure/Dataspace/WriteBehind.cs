using System.Diagnostics;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Dataspace.Live;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.Dataspace;

/// One item as a batch left it: Current is null when the batch deleted it; Original is the item
/// before the batch (null when the batch added it).
internal readonly record struct ItemChange(Guid Id, Item? Original, Item? Current)
{
    public bool IsChange => Original is null ? Current is not null : Current is null || !Current.IsSameVersion(Original);

    /// Changes only to process-bound items may be written behind.
    public bool IsProcessBound => (Original?.ProcessBound ?? true) && (Current?.ProcessBound ?? true);
}

/// The writer's bookkeeping of what the store does not have yet: the items changed by batches
/// that were applied and answered without a commit, and which items the store has a row for.
/// The next commit writes them, with its own batch, in one transaction. Only the writer uses it.
internal sealed class WriteBehind
{
    private readonly HashSet<Guid> _stored = [];
    private readonly Dictionary<Guid, (Item Last, bool Deleted)> _unflushed = [];
    private Dictionary<Guid, (Item Last, bool Deleted)> _writing = [];
    private bool _verify;

    /// When the oldest unflushed change was applied (a Stopwatch timestamp), or null.
    public long? Since { get; private set; }

    public void Load(IEnumerable<Guid> stored) => _stored.UnionWith(stored);

    /// Changes applied and published without a commit: the next commit writes them (values set
    /// in place by writing the live item as it is then).
    public void Defer(IEnumerable<ItemChange> changes, IEnumerable<ValueChange> values)
    {
        foreach (var change in changes)
        {
            _unflushed[change.Id] = (change.Current ?? change.Original!, change.Current is null);
        }
        foreach (var value in values)
        {
            _unflushed[value.State.Id] = (value.Item, false);
        }
        Since ??= Stopwatch.GetTimestamp();
    }

    /// The last commit's outcome is unknown: the store may or may not have its rows, so the next
    /// one asks the store before it writes.
    public void Distrust() => _verify = true;

    /// Adds the unflushed items and the batch's changes to the context, as inserts, updates and
    /// deletes according to which rows the store has.
    public async Task WriteToAsync(EquipDbContext db, IReadOnlyList<ItemChange> batch, IEnumerable<ValueChange> values, CancellationToken cancellationToken)
    {
        _writing = new Dictionary<Guid, (Item, bool)>(_unflushed);
        foreach (var change in batch)
        {
            _writing[change.Id] = (change.Current ?? change.Original!, change.Current is null);
        }
        foreach (var value in values)
        {
            // Not set on the live item until the batch is published: the row gets a copy that has it.
            var row = value.Item.Copy();
            row.SetValue(value.Value, value.State.Revision, value.State.UpdatedAt);
            _writing[value.State.Id] = (row, false);
        }
        if (_verify)
        {
            await VerifyAsync(db, cancellationToken);
        }
        foreach (var (id, (item, deleted)) in _writing)
        {
            var stored = _stored.Contains(id);
            if (deleted && stored)
            {
                db.Items.Remove(item);
            }
            else if (!deleted)
            {
                if (stored)
                {
                    db.Items.Update(item);
                }
                else
                {
                    db.Items.Add(item);
                }
            }
        }
    }

    /// The commit that WriteToAsync prepared succeeded.
    public void Committed()
    {
        foreach (var (id, (_, deleted)) in _writing)
        {
            if (deleted)
            {
                _stored.Remove(id);
            }
            else
            {
                _stored.Add(id);
            }
        }
        _writing = [];
        _unflushed.Clear();
        _verify = false;
        Since = null;
    }

    /// Revisions of the events that the store already has, after a commit of unknown outcome.
    public async Task<HashSet<long>> StoredRevisionsAsync(EquipDbContext db, IReadOnlyList<ChangeEvent> events, CancellationToken cancellationToken)
    {
        if (!_verify || events.Count == 0)
        {
            return [];
        }
        var revisions = events.Select(e => e.Revision).ToList();
        return [.. await db.ChangeLog.Where(e => revisions.Contains(e.Revision)).Select(e => e.Revision).ToListAsync(cancellationToken)];
    }

    private async Task VerifyAsync(EquipDbContext db, CancellationToken cancellationToken)
    {
        var ids = _writing.Keys.ToList();
        var present = await db.Items.AsNoTracking().Where(i => ids.Contains(i.Id)).Select(i => i.Id).ToListAsync(cancellationToken);
        _stored.ExceptWith(ids);
        _stored.UnionWith(present);
    }
}
