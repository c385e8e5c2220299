using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Dataspace.Live;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Equip.Infrastructure.Dataspace;

/// What the operations of one batch share: the items as the batch has changed them so far
/// (copies of the live ones), the revision counter, the batch's clock reading and its events.
/// Items come from memory; the store is opened only by operations that need it (peers, the
/// stored change log), and then the batch commits before it is answered.
internal sealed class WriteContext(
    LiveItems live,
    LiveLog log,
    IReadOnlyDictionary<string, Peer> committedPeers,
    Func<CancellationToken, Task<StoreTransaction>> openStore,
    long revision,
    long prunedThrough,
    DateTimeOffset now)
{
    private readonly List<ChangeEvent> _events = [];
    private readonly Dictionary<Guid, (Item? Original, Item? Current)> _items = [];
    private readonly Dictionary<Guid, ValueChange> _values = [];
    private readonly HashSet<Guid> _unreliable = [];
    private readonly HashSet<string> _peersLoaded = [];

    public DateTimeOffset Now => now;

    public IReadOnlyList<ChangeEvent> Events => _events;

    /// The last revision handed out.
    public long Revision { get; private set; } = revision;

    /// How far the stored change log has been pruned.
    public long PrunedThrough { get; set; } = prunedThrough;

    /// The store's transaction, once an operation opened it.
    public StoreTransaction? Store { get; private set; }

    public long NextRevision() => ++Revision;

    /// The store's context in the batch's transaction; opening it makes the batch commit.
    public async Task<EquipDbContext> DbAsync(CancellationToken cancellationToken)
    {
        Store ??= await openStore(cancellationToken);
        return Store.Db;
    }

    /// The transaction the batch commits in, opened by the writer when no operation needed the store.
    public StoreTransaction Adopt(StoreTransaction store) => Store = store;

    /// The item as this batch sees it, including its changes so far; the batch may change it.
    public Item? FindItem(Guid id) => Find(id);

    public void Insert(Item item) =>
        _items[item.Id] = (_items.TryGetValue(item.Id, out var known) ? known.Original : live.Find(item.Id), item);

    public void Remove(Item item)
    {
        _values.Remove(item.Id);
        _items[item.Id] = (_items.TryGetValue(item.Id, out var known) ? known.Original : live.Find(item.Id), null);
    }

    /// The item as the batch sees it, to check before setting its value: the batch's copy when the
    /// batch changed it otherwise, else the live item (not to be changed here: see SetValue).
    public Item? ItemForValue(Guid id) =>
        _items.TryGetValue(id, out var known) ? known.Current
        : _values.TryGetValue(id, out var pending) ? pending.Item
        : live.Find(id);

    /// The item's value as the batch sees it.
    public JsonElement? ValueOf(Item item) =>
        _values.TryGetValue(item.Id, out var pending) && pending.Item == item ? pending.Value : item.Value;

    /// Sets the value of an item found with ItemForValue, with the next revision: on the batch's
    /// copy, or, for an item the batch has not otherwise changed, in place once the batch is
    /// published (no copy, no re-indexing: a value is no index key).
    public long SetValue(Item item, JsonElement value, PeerActor? by, Peer? author)
    {
        var revision = NextRevision();
        long? epoch = author is not null && item.Responsible == author.PeerId ? author.SyncEpoch : null;
        ItemState state;
        if (_items.TryGetValue(item.Id, out var known) && known.Current == item)
        {
            item.SetValue(value, revision, now);
            if (epoch is { } asserted)
            {
                item.MarkAsserted(asserted);
            }
            state = item.ToState();
        }
        else
        {
            var pending = _values.GetValueOrDefault(item.Id);
            var before = pending?.State ?? live.FindWithState(item.Id)!.Value.State;
            state = before.WithValue(value, revision, now);
            _values[item.Id] = new ValueChange(item, value, state, epoch ?? pending?.AssertedEpoch);
        }
        Record(ChangeEvent.ValueSet(state, by));
        return revision;
    }

    /// The values the batch sets in place, item by item (the latest of each).
    public IReadOnlyCollection<ValueChange> Values => _values.Values;

    /// An unreliable value: written behind even on a persistent item.
    public void MarkUnreliable(Item item) => _unreliable.Add(item.Id);

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

    /// The items a peer is responsible for, as this batch sees them (ordered by id).
    public List<Item> ItemsOf(string peerId)
    {
        var ids = live.IdsOf(peerId).Concat(_items.Where(i => i.Value.Current?.Responsible == peerId).Select(i => i.Key)).Distinct();
        return [.. ids.Select(Find).OfType<Item>().Where(i => i.Responsible == peerId).OrderBy(i => i.Id)];
    }

    /// Reads the given peers in one query (before the batch's operations run).
    public async Task PrefetchPeersAsync(IReadOnlyList<string> peers, CancellationToken cancellationToken)
    {
        var db = await DbAsync(cancellationToken);
        await db.Peers.Where(p => peers.Contains(p.PeerId)).LoadAsync(cancellationToken);
        _peersLoaded.UnionWith(peers);
    }

    /// The peer as this batch sees it, to change it; a prefetched peer that is not tracked does not exist.
    public async Task<Peer?> FindPeerAsync(string peerId, CancellationToken cancellationToken)
    {
        var db = await DbAsync(cancellationToken);
        return db.Peers.Local.FindEntry(peerId)?.Entity
            ?? (_peersLoaded.Contains(peerId) ? null : await db.Peers.SingleOrDefaultAsync(p => p.PeerId == peerId, cancellationToken));
    }

    /// The peer a write comes from, checked to still speak for it (fencing); null for
    /// administrators. Read as this batch left it, else as last committed (from memory).
    public Peer? Author(PeerActor? by)
    {
        if (by is null)
        {
            return null;
        }
        var peer = Store?.Db.Peers.Local.FindEntry(by.PeerId)?.Entity
            ?? committedPeers.GetValueOrDefault(by.PeerId)
            ?? throw new StaleIncarnationException(by.PeerId, by.Incarnation);
        peer.EnsureSpeaksFor(by);
        return peer;
    }

    /// The last change to an item after the revision: made by this batch, written behind, or stored.
    public async Task<ChangeEvent?> LastEventAfterAsync(Guid id, long revision, CancellationToken cancellationToken)
    {
        if ((_events.LastOrDefault(e => e.Item.Id == id) ?? log.LastUnflushedOf(id)) is { } recent)
        {
            return recent.Revision > revision ? recent : null;
        }
        var db = await DbAsync(cancellationToken);
        var stored = await db.ChangeLog.AsNoTracking()
            .Where(e => e.ItemId == id && e.Revision > revision)
            .OrderByDescending(e => e.Revision)
            .FirstOrDefaultAsync(cancellationToken);
        return stored?.ToEvent();
    }

    public void Record(ChangeEvent change) => _events.Add(change);

    /// What the batch changed, item by item.
    public List<ItemChange> Changes() =>
        [.. _items.Select(i => new ItemChange(i.Key, i.Value.Original, i.Value.Current)).Where(c => c.IsChange)];

    /// Whether the batch must commit before it is answered: it opened the store, or changed a
    /// persistent item other than by an unreliable value.
    public bool MustCommit(IReadOnlyList<ItemChange> changes) =>
        Store is not null || changes.Any(c => !c.IsProcessBound && !_unreliable.Contains(c.Id));

    private Item? Find(Guid id)
    {
        if (_items.TryGetValue(id, out var known))
        {
            return known.Current;
        }
        var original = live.Find(id);
        var copy = original?.Copy();
        if (copy is not null && _values.Remove(id, out var pending))
        {
            // A value this batch set in place: the copy takes it, and the copy is published instead.
            copy.SetValue(pending.Value, pending.State.Revision, pending.State.UpdatedAt);
            if (pending.AssertedEpoch is { } epoch)
            {
                copy.MarkAsserted(epoch);
            }
        }
        _items[id] = (original, copy);
        return copy;
    }
}

/// The store's side of a batch that commits: its context and the transaction.
internal sealed class StoreTransaction(EquipDbContext db, IDbContextTransaction transaction) : IAsyncDisposable
{
    public EquipDbContext Db => db;

    public IDbContextTransaction Transaction => transaction;

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await db.DisposeAsync();
    }
}
