using System.Text.Json;
using Equip.Protocol;

namespace Equip.Client;

/// <summary>How a replica's item changed.</summary>
public enum ReplicaChangeKind
{
    /// <summary>The item is new to the replica.</summary>
    Added,

    /// <summary>The item changed.</summary>
    Updated,

    /// <summary>The item was deleted, or no longer matches the pattern.</summary>
    Removed,
}

/// <summary>One change applied to a <see cref="Replica"/>.</summary>
/// <param name="Kind">What happened to the item.</param>
/// <param name="Item">The item after the change (for a removal, its last state).</param>
/// <param name="Reason">For a deletion: "explicit", "bound" or "leaseExpired".</param>
public sealed record ReplicaChange(ReplicaChangeKind Kind, WireItem Item, string? Reason)
{
    /// <summary>True for a value this client set, taken in when the server applied it (the server
    /// sends a connection no echo of its own values); false for everything the server sent.</summary>
    public bool Own { get; init; }
}

/// <summary>
/// A local copy of the items matching a pattern, kept up to date by a subscription and caught up
/// from the change log after every reconnect (or replaced by a fresh snapshot when the log no
/// longer reaches back far enough).
/// </summary>
public sealed class Replica
{
    private readonly Dictionary<Guid, WireItem> _items = new();
    private readonly List<(Func<Replica, bool> Condition, TaskCompletionSource Done)> _waiters = [];

    internal Replica(string subscriptionId, WirePattern pattern)
    {
        SubscriptionId = subscriptionId;
        Pattern = pattern;
    }

    /// <summary>The subscription's id on the connection.</summary>
    public string SubscriptionId { get; }

    /// <summary>What the replica holds.</summary>
    public WirePattern Pattern { get; }

    /// <summary>The revision of the last change applied; catch-up after a reconnect starts after it.</summary>
    public long Revision { get; private set; }

    /// <summary>Whether a first snapshot has arrived.</summary>
    public bool HasSnapshot { get; private set; }

    /// <summary>Raised for every change, on the connection's thread: handlers must be quick.</summary>
    public event Action<ReplicaChange>? Changed;

    /// <summary>The items now, in no particular order.</summary>
    public IReadOnlyList<WireItem> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items.Values];
            }
        }
    }

    /// <summary>The item with this id, if the replica holds it.</summary>
    public WireItem? Get(Guid id)
    {
        lock (_items)
        {
            return _items.GetValueOrDefault(id);
        }
    }

    /// <summary>Completes once the condition holds (checked now and after every change).</summary>
    public Task WaitUntilAsync(Func<Replica, bool> condition, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_items)
        {
            if (condition(this))
            {
                return Task.CompletedTask;
            }
            _waiters.Add((condition, done));
        }
        return done.Task.WaitAsync(cancellationToken);
    }

    internal void ApplySnapshot(SnapshotMessage snapshot)
    {
        var changes = new List<ReplicaChange>();
        lock (_items)
        {
            var fresh = snapshot.Items.ToDictionary(i => i.Id);
            foreach (var gone in _items.Values.Where(i => !fresh.ContainsKey(i.Id)).ToList())
            {
                _items.Remove(gone.Id);
                changes.Add(new ReplicaChange(ReplicaChangeKind.Removed, gone, null));
            }
            foreach (var item in snapshot.Items)
            {
                var kind = _items.TryGetValue(item.Id, out var held)
                    ? held.Revision == item.Revision ? (ReplicaChangeKind?)null : ReplicaChangeKind.Updated
                    : ReplicaChangeKind.Added;
                _items[item.Id] = item;
                if (kind is { } k)
                {
                    changes.Add(new ReplicaChange(k, item, null));
                }
            }
            Revision = snapshot.Revision;
            HasSnapshot = true;
        }
        Publish(changes);
    }

    internal void ApplyChanges(ChangesMessage message)
    {
        var changes = new List<ReplicaChange>();
        lock (_items)
        {
            foreach (var change in message.Events)
            {
                if (change.Revision <= Revision)
                {
                    continue;
                }
                Revision = change.Revision;
                var id = change.Item.Id;
                if (change.Kind == "deleted" || !change.Matches)
                {
                    if (_items.Remove(id))
                    {
                        changes.Add(new ReplicaChange(ReplicaChangeKind.Removed, change.Item, change.Reason));
                    }
                    continue;
                }
                var kind = _items.ContainsKey(id) ? ReplicaChangeKind.Updated : ReplicaChangeKind.Added;
                _items[id] = change.Item;
                changes.Add(new ReplicaChange(kind, change.Item, null));
            }
        }
        Publish(changes);
    }

    /// Value changes of the subscription (compact entries): only the value and revision of an item
    /// held change; an item not held does not match the pattern and is left out.
    internal void ApplyValues(ValuesMessage message)
    {
        var changes = new List<ReplicaChange>();
        lock (_items)
        {
            foreach (var value in message.Values)
            {
                if (value.Revision <= Revision)
                {
                    continue;
                }
                Revision = value.Revision;
                if (SetValue(value.ItemId, value.Value, value.Revision) is { } changed)
                {
                    changes.Add(new ReplicaChange(ReplicaChangeKind.Updated, changed, null));
                }
            }
        }
        Publish(changes);
    }

    /// A value this client set was applied at the revision: the item it holds takes it (the server
    /// does not send a connection its own values back).
    internal void ApplyOwnValue(Guid id, JsonElement value, long revision)
    {
        WireItem? changed;
        lock (_items)
        {
            changed = SetValue(id, value, revision);
        }
        if (changed is not null)
        {
            Publish([new ReplicaChange(ReplicaChangeKind.Updated, changed, null) { Own = true }]);
        }
    }

    /// The caller holds the lock.
    private WireItem? SetValue(Guid id, JsonElement value, long revision)
    {
        if (!_items.TryGetValue(id, out var held) || held.Revision >= revision)
        {
            return null;
        }
        var changed = held with { Fields = WireFields.WithValue(held.Fields, value), Revision = revision };
        _items[id] = changed;
        return changed;
    }

    private void Publish(List<ReplicaChange> changes)
    {
        foreach (var change in changes)
        {
            Changed?.Invoke(change);
        }
        List<TaskCompletionSource> satisfied;
        lock (_items)
        {
            satisfied = _waiters.Where(w => w.Condition(this)).Select(w => w.Done).ToList();
            _waiters.RemoveAll(w => satisfied.Contains(w.Done));
        }
        satisfied.ForEach(d => d.TrySetResult());
    }
}
