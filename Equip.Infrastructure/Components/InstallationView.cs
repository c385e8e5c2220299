using Equip.Domain.Components;
using Equip.Domain.Dataspace;
using Equip.Protocol;

namespace Equip.Infrastructure.Components;

public sealed record ContainerView(ItemState Item, ContainerFields Fields, IReadOnlyList<CapabilityFields> Capabilities);

public sealed record ComponentView(ItemState Item, ComponentFields Fields, IReadOnlyList<PropertyFields> Properties);

public sealed record RequestView(ItemState Item, ComponentRequestFields Fields);

/// The component layer as one snapshot of the ect.* items, read into typed views. Items whose
/// fields do not have the expected shape are left out.
public sealed class InstallationView
{
    private InstallationView(long revision, IReadOnlyList<ContainerView> containers, IReadOnlyList<ComponentView> components, IReadOnlyList<RequestView> requests)
    {
        Revision = revision;
        Containers = containers;
        Components = components;
        Requests = requests;
    }

    public long Revision { get; }

    public IReadOnlyList<ContainerView> Containers { get; }

    public IReadOnlyList<ComponentView> Components { get; }

    public IReadOnlyList<RequestView> Requests { get; }

    public static async Task<InstallationView> ReadAsync(IDataspace dataspace, CancellationToken cancellationToken)
    {
        var snapshot = await dataspace.SnapshotAsync(new Pattern("ect.*"), cancellationToken);
        List<(ItemState Item, T Fields)> Of<T>(string type) where T : class =>
            snapshot.Items.Where(i => i.Type == type)
                .Select(i => (Item: i, Fields: EctJson.Read<T>(i.Fields)))
                .Where(x => x.Fields is not null)
                .Select(x => (x.Item, x.Fields!))
                .ToList();

        var capabilities = Of<CapabilityFields>(Ect.Capability).ToLookup(c => c.Fields.ContainerId, c => c.Fields);
        var properties = Of<PropertyFields>(Ect.Property).ToLookup(p => p.Fields.ComponentId, p => p.Fields);
        var containers = Of<ContainerFields>(Ect.Container)
            .Select(c => new ContainerView(c.Item, c.Fields, capabilities[c.Fields.ContainerId].ToList()))
            .OrderBy(c => c.Fields.ContainerId, StringComparer.Ordinal)
            .ToList();
        var components = Of<ComponentFields>(Ect.Component)
            .Select(c => new ComponentView(c.Item, c.Fields, properties[c.Fields.ComponentId].OrderBy(p => p.Name, StringComparer.Ordinal).ToList()))
            .OrderBy(c => c.Fields.ComponentId, StringComparer.Ordinal)
            .ToList();
        var requests = Of<ComponentRequestFields>(Ect.ComponentRequest)
            .Select(r => new RequestView(r.Item, r.Fields))
            .ToList();
        return new InstallationView(snapshot.Revision, containers, components, requests);
    }

    /// The containers by id; of two items claiming one container id (a faulty peer's), the first.
    public IReadOnlyDictionary<string, ContainerInfo> PlacementTargets() =>
        Containers.DistinctBy(c => c.Fields.ContainerId).ToDictionary(
            c => c.Fields.ContainerId,
            c => new ContainerInfo(
                c.Fields.ContainerId,
                c.Fields.Host,
                c.Fields.Labels ?? new Dictionary<string, string>(),
                c.Capabilities.Select(k => k.Capability).ToHashSet(),
                ComponentCounts.GetValueOrDefault(c.Fields.ContainerId)));

    /// The component a request was placed as; of two claiming one request (a faulty peer's), the first.
    public ComponentView? ComponentOf(RequestView request) =>
        ComponentsByRequest.GetValueOrDefault(request.Item.Id);

    // Looked up once per request and container by the launcher: a scan each time would be
    // quadratic in the installation's size (5,000 requests made a reconcile take seconds).
    private Dictionary<Guid, ComponentView> ComponentsByRequest => _componentsByRequest ??= Components
        .Where(c => c.Fields.ComponentRequestId is not null)
        .DistinctBy(c => c.Fields.ComponentRequestId)
        .ToDictionary(c => c.Fields.ComponentRequestId!.Value);

    private Dictionary<string, int> ComponentCounts => _componentCounts ??= Components
        .GroupBy(c => c.Fields.ContainerId, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private Dictionary<Guid, ComponentView>? _componentsByRequest;
    private Dictionary<string, int>? _componentCounts;
}
