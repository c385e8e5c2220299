using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Components;
using Equip.Infrastructure.Dataspace.Live;
using Equip.Infrastructure.Components.Links;
using Equip.Protocol;

namespace Equip.Web.Dashboard.Live;

/// Turns the tracked items into the typed, cross-referenced views of a snapshot.
internal static class SnapshotBuilder
{
    public static InstallationSnapshot Build(
        TrackedItems items,
        ILiveItems? live,
        Func<Guid, LinkStatus>? linkStatus,
        IReadOnlyList<PeerView> peers,
        IReadOnlyList<TimelineEntry> timeline,
        IReadOnlyList<ChangeEvent> recentEvents,
        double eventsPerSecond,
        DateTimeOffset now)
    {
        var capabilities = items.Of<CapabilityFields>(Ect.Capability).Select(c => c.Fields).ToList();
        var properties = items.Of<PropertyFields>(Ect.Property)
            .ToLookup(p => p.Fields.ComponentId, p => WithLiveValue(p.Item, p.Fields, live));
        var requests = items.Of<ComponentRequestFields>(Ect.ComponentRequest)
            .Select(r => new RequestRow(r.Item, r.Fields))
            .OrderBy(r => r.Item.CreatedAt).ThenBy(r => r.Item.Id)
            .ToList();
        var requestsById = requests.ToDictionary(r => r.Item.Id);
        var running = items.Of<ComponentFields>(Ect.Component)
            .Select(c => new ComponentNode(
                c.Fields.ComponentId,
                c.Fields.Capability,
                c.Fields.ContainerId,
                c.Fields.ComponentRequestId,
                Running: true,
                c.Item.Revision,
                [.. properties[c.Fields.ComponentId].OrderBy(p => p.Name, StringComparer.Ordinal)],
                (c.Fields.ComponentRequestId is { } request ? requestsById.GetValueOrDefault(request)?.Fields.Name : null) ?? c.Fields.Name))
            .ToList();
        var runningIds = running.Select(c => c.ComponentId).ToHashSet();
        var pending = requests
            .Where(r => !runningIds.Contains(Ect.ComponentIdForRequest(r.Item.Id)))
            .Select(r => Pending(r, capabilities));
        var components = running.Concat(pending).OrderBy(c => c.Capability, StringComparer.Ordinal).ThenBy(c => c.ComponentId, StringComparer.Ordinal).ToList();

        var byContainer = running.ToLookup(c => c.ContainerId);
        var capabilitiesByContainer = capabilities.ToLookup(c => c.ContainerId);
        var hosts = items.Of<ContainerFields>(Ect.Container)
            .Select(c => new ContainerNode(c.Item, c.Fields,
                [.. capabilitiesByContainer[c.Fields.ContainerId].OrderBy(k => k.Capability, StringComparer.Ordinal)],
                [.. byContainer[c.Fields.ContainerId]]))
            .GroupBy(c => c.Fields.Host ?? "")
            .Select(g => new HostNode(g.Key, [.. g.OrderBy(c => c.Fields.ContainerId, StringComparer.Ordinal)]))
            .OrderBy(h => h.Host, StringComparer.Ordinal)
            .ToList();

        var property = components.SelectMany(c => c.Properties.Select(p => (c.ComponentId, p))).ToDictionary(x => (x.ComponentId, x.p.Name), x => x.p);
        PropertyView? Find(PropertyReference reference) =>
            reference.ComponentId() is { } id && property.TryGetValue((id, reference.Property), out var found) ? found : null;
        var links = items.Of<LinkFields>(Ect.Link)
            .Select(l => (l, Source: Find(l.Fields.Source), Destination: Find(l.Fields.Destination)))
            .Select(x => new LinkRow(x.l.Item.Id, x.l.Fields, linkStatus?.Invoke(x.l.Item.Id) ?? StatusOf(x.Source, x.Destination), x.Source, x.Destination))
            .OrderBy(l => l.Id)
            .ToList();
        var constants = items.Of<ConstantFields>(Ect.Constant)
            .Select(c => new ConstantRow(c.Item.Id, c.Fields, Find(c.Fields.Destination)))
            .OrderBy(c => c.Id)
            .ToList();
        var offers = capabilities.GroupBy(c => c.Capability)
            .Select(g => new CapabilityOffer(g.Key, g.First().Properties ?? [], [.. g.Select(c => c.ContainerId).Order(StringComparer.Ordinal)]))
            .OrderBy(o => o.Capability, StringComparer.Ordinal)
            .ToList();
        var positions = items.Of<NodePosition>(TrackedItems.PositionType)
            .GroupBy(p => p.Fields.ComponentId)
            .ToDictionary(g => g.Key, g => g.First().Fields);

        return new InstallationSnapshot(items.Revision, now, hosts, components, requests, links, constants, offers, positions, peers, timeline, recentEvents, eventsPerSecond);
    }

    /// A link's status as the snapshot shows it, where the engine's is not at hand (the past):
    /// as the link engine judges a route.
    private static LinkStatus StatusOf(PropertyView? source, PropertyView? destination) =>
        new(LinkStatus.Blocked(source is not null, destination is not null, destination?.ReadOnly == true) ?? LinkStatus.Active, null);

    /// The property with the value it holds now (value changes are not tracked event by event);
    /// without live items (the past), the value the tracked item holds.
    private static PropertyView WithLiveValue(ItemState tracked, PropertyFields fields, ILiveItems? live) =>
        live?.Get(tracked.Id) is { Value: { } value } now && now.Revision > tracked.Revision
            ? new PropertyView(tracked.Id, now.Revision, fields with { Value = value })
            : new PropertyView(tracked.Id, tracked.Revision, fields);

    /// A requested component that is not running: its ports come from the capability's schema
    /// (the named or assigned container's, else any container's), holding the last or initial values.
    private static ComponentNode Pending(RequestRow request, IReadOnlyList<CapabilityFields> capabilities)
    {
        var fields = request.Fields;
        var container = fields.AssignedContainerId ?? fields.ContainerId;
        var schema = capabilities.FirstOrDefault(c => c.Capability == fields.Capability && c.ContainerId == container)
            ?? capabilities.FirstOrDefault(c => c.Capability == fields.Capability);
        var properties = (schema?.Properties ?? [])
            .Select(p => new PropertyView(Guid.Empty, 0, new PropertyFields(
                Ect.ComponentIdForRequest(request.Item.Id), p.Name, p.Type, p.ReadOnly, ValueOf(fields, p))))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
        return new ComponentNode(Ect.ComponentIdForRequest(request.Item.Id), fields.Capability, container, request.Item.Id, Running: false, request.Item.Revision, properties, fields.Name);
    }

    private static JsonElement ValueOf(ComponentRequestFields request, PropertySchema property) =>
        request.LastValues?.GetValueOrDefault(property.Name) is { ValueKind: not JsonValueKind.Undefined } last ? last
        : request.InitialValues?.GetValueOrDefault(property.Name) is { ValueKind: not JsonValueKind.Undefined } initial ? initial
        : property.Default ?? default;
}
