using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Components;
using Equip.Infrastructure.Components.Links;
using Equip.Protocol;

namespace Equip.Web.Dashboard.Live;

public sealed record PropertyView(Guid ItemId, long Revision, PropertyFields Fields)
{
    public string Name => Fields.Name;
    public string Type => Fields.Type;
    public bool ReadOnly => Fields.ReadOnly;
    public JsonElement Value => Fields.Value;
}

/// A running component, or one requested and not running yet (Running false, properties from
/// its capability's schema).
public sealed record ComponentNode(
    string ComponentId,
    string Capability,
    string? ContainerId,
    Guid? RequestId,
    bool Running,
    long Revision,
    IReadOnlyList<PropertyView> Properties,
    string? Name = null)
{
    /// What the component is called on every page: its name (docs/components.md, "Names"); a
    /// request made before names were given, the capability and the end of its id (the random
    /// part: the start of a time-ordered id is the same for every request of a minute); a
    /// component no request made (an MQTT topic), the capability and its id.
    public string Title => Name ?? (RequestId is { } request ? Unnamed(Capability, request) : $"{Capability} {ComponentId}");

    /// A request made before names: its capability and the last four hex digits of its id.
    public static string Unnamed(string capability, Guid request) => $"{capability} {request.ToString("N")[^4..]}";

    public PropertyReference Reference(string property) => RequestId is { } request
        ? new PropertyReference(request, null, null, property)
        : new PropertyReference(null, ContainerId, ComponentId[((ContainerId?.Length ?? -1) + 1)..], property);
}

public sealed record ContainerNode(
    ItemState Item,
    ContainerFields Fields,
    IReadOnlyList<CapabilityFields> Capabilities,
    IReadOnlyList<ComponentNode> Components)
{
    public string PeerId => Item.Responsible ?? "";
}

public sealed record HostNode(string Host, IReadOnlyList<ContainerNode> Containers);

public sealed record RequestRow(ItemState Item, ComponentRequestFields Fields)
{
    /// The component's name, as ComponentNode.Title reads it.
    public string Title => Fields.Name ?? ComponentNode.Unnamed(Fields.Capability, Item.Id);

    public string Status => Fields.Status ?? "pending";

    public string Target => Fields.ContainerId is { } container ? container
        : Fields.Selector is { } selector ? Selectors.Describe(selector)
        : "any container";
}

public sealed record LinkRow(Guid Id, LinkFields Fields, LinkStatus Status, PropertyView? Source, PropertyView? Destination);

public sealed record ConstantRow(Guid Id, ConstantFields Fields, PropertyView? Destination);

public sealed record NodePosition(string ComponentId, double X, double Y);

/// One line of the recovery timeline; Recovery is set on the line of a peer's return.
public sealed record TimelineEntry(DateTimeOffset At, string PeerId, string What, PeerState To, Recovery? Recovery);

/// A peer's way back: when it went away, when it was gone, when it was back, and when every link
/// into or out of its components carried a value again.
public sealed record Recovery(DateTimeOffset AwayAt, DateTimeOffset? GoneAt, DateTimeOffset BackAt, bool NewIncarnation, bool SessionKept, DateTimeOffset? LinksFlowingAt, int Links, bool GaveUp)
{
    public TimeSpan Away => BackAt - AwayAt;

    public TimeSpan? UntilLinksFlow => LinksFlowingAt - AwayAt;
}

public static class Selectors
{
    public static string Describe(SelectorFields selector)
    {
        var parts = new List<string>();
        if (selector.Host is { } host)
        {
            parts.Add($"host {host}");
        }
        parts.AddRange((selector.Labels ?? new Dictionary<string, string>()).Select(l => $"{l.Key}={l.Value}"));
        return parts.Count == 0 ? "any container" : string.Join(", ", parts);
    }
}
