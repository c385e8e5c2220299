using Equip.Domain.Dataspace;
using Equip.Protocol;

namespace Equip.Web.Dashboard.Live;

/// The component layer's items and the graph's node positions, each with its fields read once
/// when it changes (not at every render).
internal sealed class TrackedItems
{
    public const string PositionType = "dashboard.NodePosition";

    private readonly Dictionary<Guid, (ItemState State, object Fields)> _items = [];

    public long Revision { get; private set; }

    public static bool Follows(string type) => type.StartsWith("ect.", StringComparison.Ordinal) || type == PositionType;

    public void Load(IEnumerable<ItemState> items, long revision)
    {
        foreach (var item in items)
        {
            Put(item);
        }
        Revision = Math.Max(Revision, revision);
    }

    public void Apply(ChangeEvent change)
    {
        Revision = Math.Max(Revision, change.Revision);
        if (!Follows(change.Item.Type) || change.ValueOnly) // values are read from the live items at each refresh
        {
            return;
        }
        // Events the first read already includes arrive too: a known item newer than the event stays.
        var known = _items.TryGetValue(change.Item.Id, out var tracked) ? tracked.State.Revision : 0;
        if (change.Kind == ChangeKind.Deleted && known < change.Revision)
        {
            _items.Remove(change.Item.Id);
        }
        else if (change.Kind != ChangeKind.Deleted && known < change.Item.Revision)
        {
            Put(change.Item);
        }
    }

    public IEnumerable<(ItemState Item, T Fields)> Of<T>(string type) where T : class =>
        _items.Values.Where(i => i.State.Type == type && i.Fields is T).Select(i => (i.State, (T)i.Fields));

    private void Put(ItemState item)
    {
        object? fields = item.Type switch
        {
            Ect.Container => EctJson.Read<ContainerFields>(item.Fields),
            Ect.Capability => EctJson.Read<CapabilityFields>(item.Fields),
            Ect.Component => EctJson.Read<ComponentFields>(item.Fields),
            Ect.Property => EctJson.Read<PropertyFields>(item.Fields),
            Ect.ComponentRequest => EctJson.Read<ComponentRequestFields>(item.Fields),
            Ect.Link => EctJson.Read<LinkFields>(item.Fields),
            Ect.Constant => EctJson.Read<ConstantFields>(item.Fields),
            PositionType => EctJson.Read<NodePosition>(item.Fields),
            _ => null,
        };
        if (fields is null)
        {
            _items.Remove(item.Id); // not the shape its type promises: left out, as InstallationView does
            return;
        }
        _items[item.Id] = (item, fields);
    }
}
