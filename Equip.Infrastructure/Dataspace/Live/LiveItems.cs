using System.Text.Json;
using Equip.Domain.Dataspace;

namespace Equip.Infrastructure.Dataspace.Live;

/// The current items, in memory, with the indexes that reads look them up by: id, type (and so
/// type prefix), responsible peer, lease expiry and, once a read asks, a type's string field
/// (FieldIndexes). The writer replaces items whole after each
/// batch (it changes copies), except for value changes, which it applies to the item in place
/// (a value is no key of any index); either way under the lock, so readers under the lock see
/// the dataspace at one revision.
internal sealed partial class LiveItems : ILiveItems
{
    private static readonly Guid Last = new("ffffffff-ffff-ffff-ffff-ffffffffffff");

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Entry> _byId = [];
    private readonly Dictionary<string, SortedSet<Guid>> _byType = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Guid>> _byResponsible = new(StringComparer.Ordinal);
    private readonly SortedSet<(DateTimeOffset ExpiresAt, Guid Id)> _byExpiry = [];
    private readonly FieldIndexes _byField = new();

    /// The revision of the last batch applied.
    public long Revision { get; private set; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byId.Count;
            }
        }
    }

    /// Replaces the items that the batch changed (null: deleted), sets the values it changed in
    /// place, and moves to its revision.
    public void Apply(IEnumerable<KeyValuePair<Guid, Item?>> changes, IEnumerable<ValueChange> values, long revision)
    {
        lock (_gate)
        {
            foreach (var value in values)
            {
                if (_byId.TryGetValue(value.State.Id, out var entry) && entry.Item == value.Item)
                {
                    value.Item.SetValue(value.Value, value.State.Revision, value.State.UpdatedAt);
                    if (value.AssertedEpoch is { } epoch)
                    {
                        value.Item.MarkAsserted(epoch);
                    }
                    entry.State = value.State;
                }
            }
            foreach (var (id, item) in changes)
            {
                if (_byId.Remove(id, out var old))
                {
                    Unindex(old.Item);
                }
                if (item is not null)
                {
                    var state = item.ToState();
                    _byId[id] = new Entry(item) { State = state };
                    Index(item, state);
                }
            }
            Revision = revision;
        }
        ReleaseThrough(revision);
    }

    /// How many items of each type there are.
    public List<KeyValuePair<string, int>> CountsByType()
    {
        lock (_gate)
        {
            return [.. _byType.Select(t => KeyValuePair.Create(t.Key, t.Value.Count))];
        }
    }

    /// The current item, for the writer to copy before it changes it.
    public Item? Find(Guid id)
    {
        lock (_gate)
        {
            return _byId.TryGetValue(id, out var entry) ? entry.Item : null;
        }
    }

    /// The current item and its state, for the writer to set a value in place.
    public (Item Item, ItemState State)? FindWithState(Guid id)
    {
        lock (_gate)
        {
            return _byId.TryGetValue(id, out var entry) ? (entry.Item, entry.State) : null;
        }
    }

    public ItemState? Get(Guid id)
    {
        lock (_gate)
        {
            return _byId.TryGetValue(id, out var entry) ? entry.State : null;
        }
    }

    /// The ids of the items a peer is responsible for.
    public Guid[] IdsOf(string peerId)
    {
        lock (_gate)
        {
            return _byResponsible.TryGetValue(peerId, out var ids) ? [.. ids] : [];
        }
    }

    /// Items whose lease ended at or before now, soonest first.
    public List<Guid> Expired(DateTimeOffset now, int max)
    {
        lock (_gate)
        {
            return [.. _byExpiry.TakeWhile(e => e.ExpiresAt <= now).Take(max).Select(e => e.Id)];
        }
    }

    /// Every item, as the store had it at start-up.
    public void Load(IEnumerable<Item> items, long revision) =>
        Apply(items.Select(i => KeyValuePair.Create(i.Id, (Item?)i)), [], revision);

    private void Index(Item item, ItemState state)
    {
        Add(_byType, item.Type, item.Id);
        _byField.Add(item.Type, item.Id, state.Fields);
        if (item.Responsible is { } responsible)
        {
            if (!_byResponsible.TryGetValue(responsible, out var ids))
            {
                _byResponsible[responsible] = ids = [];
            }
            ids.Add(item.Id);
        }
        if (item.LeaseExpiresAt is { } expiry)
        {
            _byExpiry.Add((expiry, item.Id));
        }
    }

    private void Unindex(Item item)
    {
        if (_byType.TryGetValue(item.Type, out var typed) && typed.Remove(item.Id) && typed.Count == 0)
        {
            _byType.Remove(item.Type);
        }
        _byField.Remove(item.Type, item.Id);
        if (item.Responsible is { } responsible && _byResponsible.TryGetValue(responsible, out var owned) && owned.Remove(item.Id) && owned.Count == 0)
        {
            _byResponsible.Remove(responsible);
        }
        if (item.LeaseExpiresAt is { } expiry)
        {
            _byExpiry.Remove((expiry, item.Id));
        }
    }

    private static void Add(Dictionary<string, SortedSet<Guid>> index, string key, Guid id)
    {
        if (!index.TryGetValue(key, out var ids))
        {
            index[key] = ids = [];
        }
        ids.Add(id);
    }

    private sealed class Entry(Item item)
    {
        public Item Item => item;

        public required ItemState State { get; set; }
    }
}

/// The current items as the server holds them in memory, for in-process readers that must not
/// wait (the dashboard reads property values from here at each refresh).
public interface ILiveItems
{
    ItemState? Get(Guid id);

    /// The revision applied so far.
    long Revision { get; }

    /// Completes once the revision is applied (at once on a leader), or after within (false then).
    Task<bool> WaitForAsync(long revision, TimeSpan within, CancellationToken cancellationToken);
}

/// A value the writer sets in place on a live item (Item, the one LiveItems holds), and the
/// state the item has then.
internal sealed record ValueChange(Item Item, JsonElement Value, ItemState State, long? AssertedEpoch);
