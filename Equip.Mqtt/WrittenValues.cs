using System.Collections.Concurrent;
using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Protocol;

namespace Equip.Mqtt;

/// Property items whose values the broker carries out to MQTT (a topic's value, a Homie settable
/// property, a Home Assistant command), followed on the change feed in one place: a value written
/// into one by anyone but its owner (a link, REST, the dashboard, a hub client) is handed to its
/// handler; its deletion forgets it. A property is watched before its item is added, so that a
/// link pushing into it the moment it appears is not missed.
internal sealed class WrittenValues
{
    private readonly ConcurrentDictionary<Guid, Watched> _watched = new();

    public WrittenValues(IChangeFeed feed) => feed.Subscribe(Committed);

    /// Hands each value written into the item by anyone but the owner peer to written; deleted is
    /// told when the item goes.
    public void Watch(Guid item, string owner, Action<JsonElement> written, Action? deleted = null) =>
        _watched[item] = new Watched(owner, written, deleted);

    public void Forget(Guid item) => _watched.TryRemove(item, out _);

    private void Committed(IReadOnlyList<ChangeEvent> events)
    {
        foreach (var change in events)
        {
            if (change.Item.Type != Ect.Property || !_watched.TryGetValue(change.Item.Id, out var watched))
            {
                continue;
            }
            if (change.Kind == ChangeKind.Deleted)
            {
                _watched.TryRemove(new KeyValuePair<Guid, Watched>(change.Item.Id, watched));
                watched.Deleted?.Invoke();
            }
            else if (change.ValueOnly ? change.By?.PeerId != watched.Owner : change.Kind == ChangeKind.Updated && !change.Readded)
            {
                watched.Written(change.Item.Value ?? JsonValues.Null);
            }
        }
    }

    private sealed record Watched(string Owner, Action<JsonElement> Written, Action? Deleted);
}
