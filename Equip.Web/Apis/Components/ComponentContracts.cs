using System.Text.Json;
using Equip.Protocol;

namespace Equip.Web.Apis.Components;

public sealed record ContainerResponse(string ContainerId, string? Name, string? Host, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string> Capabilities);

public sealed record CapabilityResponse(string ContainerId, string Capability, IReadOnlyList<PropertySchema> Properties);

public sealed record PropertyResponse(string Name, string Type, JsonElement Value, bool ReadOnly);

public sealed record ComponentResponse(string Id, string ContainerId, string Capability, Guid? ComponentRequestId, string? Name, IReadOnlyList<PropertyResponse> Properties);

/// <summary>Body of PUT /api/components/{id}/properties/{name}.</summary>
/// <param name="Value" example="0.75">The new value; it must convert to the property's type without loss.</param>
public sealed record SetPropertyRequest(JsonElement? Value);

/// <summary>Body of POST /api/component-requests: run a capability on a named container, or on any
/// container matching the selector (any container exporting it, when neither is given).</summary>
/// <param name="Capability" example="Slider">The capability to run.</param>
/// <param name="ContainerId" example="sim-1">The container to run it on; leave out to use the selector.</param>
/// <param name="Selector">Any container with this host and these labels, e.g. {"labels":{"room":"hall"}}.</param>
/// <param name="InitialValues" example="{&quot;value&quot;:0.5}">Values the component starts with.</param>
/// <param name="Name" example="Hall dimmer">What to call the component (at most 100 characters); left out, the server names it "Capability N".</param>
public sealed record CreateComponentRequest(string? Capability, string? ContainerId, SelectorFields? Selector, Dictionary<string, JsonElement>? InitialValues, string? Name = null);

/// <summary>Body of PUT /api/component-requests/{id}/name.</summary>
/// <param name="Name" example="Hall dimmer">The component's new name (at most 100 characters).</param>
public sealed record RenameRequest(string? Name);

public sealed record ComponentRequestResponse(
    Guid Id,
    string? Name,
    string Capability,
    string? ContainerId,
    SelectorFields? Selector,
    IReadOnlyDictionary<string, JsonElement> InitialValues,
    IReadOnlyDictionary<string, JsonElement> LastValues,
    string Status,
    string? Reason,
    string? AssignedContainerId,
    string? ComponentId,
    long Revision);
