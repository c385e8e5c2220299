using Equip.Domain.Dataspace;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.Dataspace;

/// What the operations of one transaction share: the context, the locked revision counter, the
/// transaction's clock reading and the events it has produced so far.
internal sealed class WriteContext(EquipDbContext db, DataspaceState state, DateTimeOffset now)
{
    private readonly List<ChangeEvent> _events = [];

    public EquipDbContext Db => db;

    public DataspaceState State => state;

    public DateTimeOffset Now => now;

    public IReadOnlyList<ChangeEvent> Events => _events;

    public long NextRevision() => ++state.CurrentRevision;

    /// The item as this transaction sees it, including changes not yet saved.
    public async Task<Item?> FindItemAsync(Guid id, CancellationToken cancellationToken)
    {
        var tracked = db.Items.Local.FindEntry(id);
        if (tracked is not null)
        {
            return tracked.State == EntityState.Deleted ? null : tracked.Entity;
        }
        return await db.Items.SingleOrDefaultAsync(i => i.Id == id, cancellationToken);
    }

    public async Task InsertAsync(Item item, CancellationToken cancellationToken)
    {
        // An id deleted earlier in this transaction must leave the tracker before it can come back.
        if (db.Items.Local.FindEntry(item.Id) is { State: EntityState.Deleted })
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        db.Items.Add(item);
    }

    public void Remove(Item item) => db.Items.Remove(item);

    public void Record(ChangeEvent change)
    {
        _events.Add(change);
        db.ChangeLog.Add(ChangeLogEntry.From(change));
    }
}
