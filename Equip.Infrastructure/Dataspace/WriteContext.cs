using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
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

    /// Deletes every item the query finds, each with its own revision and event. Changes made
    /// earlier in the transaction are saved first so that the query sees them.
    public async Task<int> DeleteWhereAsync(Func<IQueryable<Item>, IQueryable<Item>> select, DeleteReason reason, CancellationToken cancellationToken)
    {
        var items = await FindWhereAsync(select, cancellationToken);
        foreach (var item in items)
        {
            Remove(item);
            Record(ChangeEvent.Deleted(item.ToState(), NextRevision(), reason, now));
        }
        return items.Count;
    }

    /// Tracked items the query finds, as this transaction sees them.
    public async Task<List<Item>> FindWhereAsync(Func<IQueryable<Item>, IQueryable<Item>> select, CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        return await select(db.Items).OrderBy(i => i.Id).ToListAsync(cancellationToken);
    }

    public async Task<Peer?> FindPeerAsync(string peerId, CancellationToken cancellationToken) =>
        db.Peers.Local.FindEntry(peerId)?.Entity ?? await db.Peers.SingleOrDefaultAsync(p => p.PeerId == peerId, cancellationToken);

    /// The peer a write comes from, checked to still speak for it (fencing); null for administrators.
    public async Task<Peer?> AuthorAsync(PeerActor? by, CancellationToken cancellationToken)
    {
        if (by is null)
        {
            return null;
        }
        var peer = await FindPeerAsync(by.PeerId, cancellationToken) ?? throw new StaleIncarnationException(by.PeerId, by.Incarnation);
        peer.EnsureSpeaksFor(by);
        return peer;
    }

    public void Record(ChangeEvent change)
    {
        _events.Add(change);
        db.ChangeLog.Add(ChangeLogEntry.From(change));
    }
}
