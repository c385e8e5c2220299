using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Protocol;

namespace Equip.Web.Dashboard.Live;

/// A capability as the pickers offer it: its schema, and the containers that export it.
public sealed record CapabilityOffer(string Capability, IReadOnlyList<PropertySchema> Properties, IReadOnlyList<string> Containers);

/// The installation at one moment, as every dashboard view reads it. Immutable: a view renders
/// from the snapshot it was handed, and a newer one replaces it as a whole.
public sealed record InstallationSnapshot(
    long Revision,
    DateTimeOffset BuiltAt,
    IReadOnlyList<HostNode> Hosts,
    IReadOnlyList<ComponentNode> Components,
    IReadOnlyList<RequestRow> Requests,
    IReadOnlyList<LinkRow> Links,
    IReadOnlyList<ConstantRow> Constants,
    IReadOnlyList<CapabilityOffer> Capabilities,
    IReadOnlyDictionary<string, NodePosition> Positions,
    IReadOnlyList<PeerView> Peers,
    IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<ChangeEvent> RecentEvents,
    double EventsPerSecond)
{
    private Dictionary<string, ComponentNode>? _byId;
    private Dictionary<string, PeerView>? _peers;

    public static InstallationSnapshot Empty { get; } = new(0, DateTimeOffset.MinValue, [], [], [], [], [], [], new Dictionary<string, NodePosition>(), [], [], [], 0);

    /// Whether the first snapshot has been read from the store yet.
    public bool IsLoaded => BuiltAt != DateTimeOffset.MinValue;

    public IEnumerable<ContainerNode> Containers => Hosts.SelectMany(h => h.Containers);

    public ComponentNode? Component(string? componentId)
    {
        _byId ??= Components.ToDictionary(c => c.ComponentId);
        return componentId is not null && _byId.TryGetValue(componentId, out var node) ? node : null;
    }

    public PeerView? Peer(string? peerId)
    {
        _peers ??= Peers.ToDictionary(p => p.PeerId);
        return peerId is not null && _peers.TryGetValue(peerId, out var peer) ? peer : null;
    }

    public PropertyView? Property(PropertyReference reference) =>
        Component(reference.ComponentId())?.Properties.FirstOrDefault(p => p.Name == reference.Property);

    /// How a reference reads on screen: the component's title and the property's name.
    public string Describe(PropertyReference reference) =>
        $"{Component(reference.ComponentId())?.Title ?? reference.ComponentId() ?? "?"} · {reference.Property}";
}
