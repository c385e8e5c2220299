using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.Dataspace;

/// What the operations of one transaction share: the context, the locked revision counter, the
/// transaction's clock reading and the events it has produced so far.
/// The context detects changes only when saving: a transaction holds hundreds of writes in a
/// storm, and EF's automatic detection would scan every tracked entity at each lookup.
internal sealed class WriteContext(EquipDbContext db, DataspaceState state, DateTimeOffset now)
{
    private readonly List<ChangeEvent> _events = [];
    private readonly HashSet<string> _peersLoaded = [];
    private readonly HashSet<string> _itemsLoaded = [];

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
            await SaveAsync(cancellationToken);
        }
        db.Items.Add(item);
    }

    public void Remove(Item item) => db.Items.Remove(item);

    /// Deletes the items, each with its own revision and event.
    public int Delete(IReadOnlyList<Item> items, DeleteReason reason)
    {
        foreach (var item in items)
        {
            Remove(item);
            Record(ChangeEvent.Deleted(item.ToState(), NextRevision(), reason, now));
        }
        return items.Count;
    }

    /// The items a peer is responsible for, as this transaction sees them (ordered by id). The
    /// stored ones are read once per transaction; later calls look at what is tracked.
    public async Task<List<Item>> ItemsOfAsync(string peerId, CancellationToken cancellationToken)
    {
        if (_itemsLoaded.Add(peerId))
        {
            await db.Items.Where(i => i.Responsible == peerId).LoadAsync(cancellationToken);
        }
        return [.. db.Items.Local.Where(i => i.Responsible == peerId).OrderBy(i => i.Id)];
    }

    /// Reads the peers (and, for some, their items) that the transaction's operations will read,
    /// in two queries instead of a few per operation. Runs first, before any operation.
    public async Task PrefetchAsync(IReadOnlyList<Reads> reads, CancellationToken cancellationToken)
    {
        var peers = reads.Where(r => r.Peer is not null).Select(r => r.Peer!).Distinct().ToList();
        if (peers.Count > 0)
        {
            await db.Peers.Where(p => peers.Contains(p.PeerId)).LoadAsync(cancellationToken);
            _peersLoaded.UnionWith(peers);
        }
        var owners = reads.Where(r => r.ItemsOfPeer).Select(r => r.Peer!).Distinct().ToList();
        if (owners.Count > 0)
        {
            await db.Items.Where(i => owners.Contains(i.Responsible!)).LoadAsync(cancellationToken);
            _itemsLoaded.UnionWith(owners);
        }
    }

    /// The peer as this transaction sees it; a prefetched peer that is not tracked does not exist.
    public async Task<Peer?> FindPeerAsync(string peerId, CancellationToken cancellationToken) =>
        db.Peers.Local.FindEntry(peerId)?.Entity
        ?? (_peersLoaded.Contains(peerId) ? null : await db.Peers.SingleOrDefaultAsync(p => p.PeerId == peerId, cancellationToken));

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

    /// Saves what the transaction has changed so far (it stays uncommitted).
    public async Task SaveAsync(CancellationToken cancellationToken)
    {
        db.ChangeTracker.DetectChanges();
        await db.SaveChangesAsync(cancellationToken);
    }

    /// The last change this transaction made to an item, if it made one.
    public ChangeEvent? LastEventOf(Guid id) => _events.LastOrDefault(e => e.Item.Id == id);

    public void Record(ChangeEvent change)
    {
        _events.Add(change);
        db.ChangeLog.Add(ChangeLogEntry.From(change));
    }
}
