using System.Text.Json;
using Equip.Protocol;

namespace Equip.Web.Apis.Components;

public sealed record ContainerResponse(string ContainerId, string? Name, string? Host, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string> Capabilities);

public sealed record CapabilityResponse(string ContainerId, string Capability, IReadOnlyList<PropertySchema> Properties);

public sealed record PropertyResponse(string Name, string Type, JsonElement Value, bool ReadOnly);

public sealed record ComponentResponse(string Id, string ContainerId, string Capability, Guid? ComponentRequestId, string? Name, IReadOnlyList<PropertyResponse> Properties);

/// Body of PUT /api/components/{id}/properties/{name}.
public sealed record SetPropertyRequest(JsonElement? Value);

/// Body of POST /api/component-requests: run a capability on a named container, or on any
/// container matching the selector (any container exporting it, when neither is given).
public sealed record CreateComponentRequest(string? Capability, string? ContainerId, SelectorFields? Selector, Dictionary<string, JsonElement>? InitialValues);

public sealed record ComponentRequestResponse(
    Guid Id,
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
