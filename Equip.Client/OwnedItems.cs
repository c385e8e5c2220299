using System.Text.Json;
using Equip.Protocol;

namespace Equip.Client;

/// The items this peer is responsible for, as the server last acknowledged them: what it
/// re-asserts after every reconnect.
internal sealed class OwnedItems(string peerId)
{
    private const int ReassertBatch = 100;
    private readonly Dictionary<Guid, OwnedItem> _items = new();

    public string PeerId => peerId;

    public bool Contains(Guid id)
    {
        lock (_items)
        {
            return _items.ContainsKey(id);
        }
    }

    public long? KnownRevision(Guid id)
    {
        lock (_items)
        {
            return _items.GetValueOrDefault(id)?.Item.Revision;
        }
    }

    public void Forget(Guid id)
    {
        lock (_items)
        {
            _items.Remove(id);
        }
    }

    /// The server answered one of this peer's writes.
    public void Acknowledged(PendingWrite write, WireItem? result)
    {
        lock (_items)
        {
            if (write.IsDelete)
            {
                _items.Remove(write.ItemId);
            }
            else if (result!.Responsible == peerId)
            {
                var lease = write.LeaseSeconds ?? _items.GetValueOrDefault(result.Id)?.LeaseSeconds;
                _items[result.Id] = new OwnedItem(result, lease);
            }
        }
    }

    /// A value of an own item was acknowledged at the revision.
    public void ValueAcknowledged(Guid id, JsonElement value, long revision)
    {
        lock (_items)
        {
            if (_items.TryGetValue(id, out var held) && held.Item.Revision < revision)
            {
                _items[id] = held with { Item = held.Item with { Revision = revision }, Value = value };
            }
        }
    }

    /// Own items' values that another peer (a link, an administrator) set, as a subscription shows them.
    public void AdoptSeenValues(IEnumerable<WireValue> values)
    {
        lock (_items)
        {
            foreach (var value in values)
            {
                if (_items.TryGetValue(value.ItemId, out var held) && held.Item.Revision < value.Revision)
                {
                    _items[value.ItemId] = held with { Item = held.Item with { Revision = value.Revision }, Value = value.Value };
                }
            }
        }
    }

    /// Own items that another peer changed, as a subscription shows them: a later re-assertion
    /// states what the server last had, not what this peer last wrote, so that a restored item
    /// does not bring back a value that had been replaced.
    public void AdoptSeen(IEnumerable<WireItem> items)
    {
        lock (_items)
        {
            foreach (var item in items)
            {
                if (item.Responsible == peerId && _items.TryGetValue(item.Id, out var held) && held.Item.Revision < item.Revision)
                {
                    _items[item.Id] = held with { Item = item, Value = null };
                }
            }
        }
    }

    /// The acknowledged state of every own item not about to be deleted, in batches.
    public IEnumerable<ReassertedItemMessage[]> ToReassert(HashSet<Guid> deleting)
    {
        lock (_items)
        {
            return _items.Values.Where(o => !deleting.Contains(o.Item.Id)).Select(o => new ReassertedItemMessage
            {
                Id = o.Item.Id,
                Type = o.Item.Type,
                Fields = o.Fields,
                ProcessBound = o.Item.ProcessBound,
                LeaseSeconds = o.LeaseSeconds,
                KnownRevision = o.Item.Revision,
            }).ToList().Chunk(ReassertBatch);
        }
    }

    /// What the server holds after a re-assertion; an item it left out of its answer no longer
    /// exists (or is another peer's now) and is forgotten.
    public void Reasserted(ReassertedItemMessage[] batch, Dictionary<Guid, WireItem> stored)
    {
        lock (_items)
        {
            foreach (var asserted in batch)
            {
                if (stored.TryGetValue(asserted.Id, out var item) && item.Responsible == peerId)
                {
                    _items[item.Id] = new OwnedItem(item, asserted.LeaseSeconds);
                }
                else
                {
                    _items.Remove(asserted.Id);
                }
            }
        }
    }
}
