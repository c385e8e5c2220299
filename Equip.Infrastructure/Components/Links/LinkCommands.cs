using System.Text.Json;
using Equip.Domain.Components;
using Equip.Domain.Dataspace;
using Equip.Protocol;

namespace Equip.Infrastructure.Components.Links;

/// Makes links and constants, refusing ones that could never work: a reference that names no
/// component, or a destination known to be read-only (from the running component, or from the
/// schema of the capability its request asks for).
public sealed class LinkCommands(IDataspace dataspace, ItemLimits limits)
{
    public async Task<ItemState> LinkAsync(LinkFields link, CancellationToken cancellationToken)
    {
        Validate(link.Source, "source");
        Validate(link.Destination, "destination");
        await EnsureWritableAsync(link.Destination, cancellationToken);
        return (await dataspace.AddAsync(new AddItem(null, Ect.Link, EctJson.Write(link)), cancellationToken)).Item;
    }

    public async Task<ItemState> ConstantAsync(ConstantFields constant, CancellationToken cancellationToken)
    {
        Validate(constant.Destination, "destination");
        EctRules.Value(constant.Value, limits, "the constant's value");
        await EnsureWritableAsync(constant.Destination, cancellationToken);
        return (await dataspace.AddAsync(new AddItem(null, Ect.Constant, EctJson.Write(constant)), cancellationToken)).Item;
    }

    public Task DeleteLinkAsync(Guid id, CancellationToken cancellationToken) => DeleteAsync(id, Ect.Link, cancellationToken);

    public Task DeleteConstantAsync(Guid id, CancellationToken cancellationToken) => DeleteAsync(id, Ect.Constant, cancellationToken);

    public async Task<ItemState> ItemOfTypeAsync(Guid id, string type, CancellationToken cancellationToken) =>
        await dataspace.GetAsync(id, cancellationToken) is { } item && item.Type == type ? item : throw new ItemNotFoundException(id);

    private async Task DeleteAsync(Guid id, string type, CancellationToken cancellationToken)
    {
        await ItemOfTypeAsync(id, type, cancellationToken);
        await dataspace.DeleteAsync(new DeleteItem(id), cancellationToken);
    }

    private static void Validate(PropertyReference? reference, string role)
    {
        if (reference is null || string.IsNullOrWhiteSpace(reference.Property) || reference.ComponentId() is null)
        {
            throw new InvalidItemException($"The {role} needs a property and a component: {{\"componentRequestId\",\"property\"}} or {{\"containerId\",\"component\",\"property\"}}.");
        }
        EctRules.Name(reference.Property, $"{role}'s property");
        EctRules.Name(reference.ContainerId, $"{role}'s containerId");
        EctRules.Name(reference.Component, $"{role}'s component");
    }

    /// Refuses a link into a read-only property: read-only as the running component publishes it,
    /// or in the schema its container's capability declares. Reads only the items concerned (the
    /// property, the request, the capabilities of that name), never the whole installation.
    private async Task EnsureWritableAsync(PropertyReference destination, CancellationToken cancellationToken)
    {
        var componentId = destination.ComponentId()!;
        var running = await dataspace.GetAsync(Ect.PropertyItemId(componentId, destination.Property), cancellationToken) is { } item
            ? EctJson.Read<PropertyFields>(item.Fields)
            : null;
        var capability = destination.ComponentRequestId is { } requestId && await dataspace.GetAsync(requestId, cancellationToken) is { Type: Ect.ComponentRequest } request
            ? EctJson.Read<ComponentRequestFields>(request.Fields)?.Capability
            : null;
        var declared = capability is null ? null : await dataspace.SnapshotAsync(
            new Pattern(Ect.Capability, new Dictionary<string, JsonElement> { ["capability"] = JsonSerializer.SerializeToElement(capability) }), cancellationToken);
        var schema = (declared?.Items ?? []).Select(i => EctJson.Read<CapabilityFields>(i.Fields)).OfType<CapabilityFields>()
            .SelectMany(k => k.Properties ?? []).FirstOrDefault(p => p.Name == destination.Property);
        if (running?.ReadOnly == true || schema?.ReadOnly == true)
        {
            throw new PropertyReadOnlyException(componentId, destination.Property);
        }
    }
}
