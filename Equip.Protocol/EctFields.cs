using System.Text.Json;
using System.Text.Json.Serialization;

namespace Equip.Protocol;

/// <summary>The fields of an ect.Container item.</summary>
public sealed record ContainerFields(
    [property: JsonPropertyName("containerId")] string ContainerId,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("host")] string? Host,
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string>? Labels);

/// <summary>One property of a capability's schema.</summary>
public sealed record PropertySchema(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("readOnly")] bool ReadOnly,
    [property: JsonPropertyName("default")] JsonElement? Default);

/// <summary>The fields of an ect.Capability item.</summary>
public sealed record CapabilityFields(
    [property: JsonPropertyName("containerId")] string ContainerId,
    [property: JsonPropertyName("capability")] string Capability,
    [property: JsonPropertyName("properties")] IReadOnlyList<PropertySchema>? Properties);

/// <summary>The fields of an ect.Component item.</summary>
public sealed record ComponentFields(
    [property: JsonPropertyName("componentId")] string ComponentId,
    [property: JsonPropertyName("containerId")] string ContainerId,
    [property: JsonPropertyName("capability")] string Capability,
    [property: JsonPropertyName("componentRequestId")] Guid? ComponentRequestId,
    [property: JsonPropertyName("name")] string? Name);

/// <summary>The fields of an ect.Property item.</summary>
public sealed record PropertyFields(
    [property: JsonPropertyName("componentId")] string ComponentId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("readOnly")] bool ReadOnly,
    [property: JsonPropertyName("value")] JsonElement Value);

/// <summary>Where a component may run when a request names no container.</summary>
public sealed record SelectorFields(
    [property: JsonPropertyName("host")] string? Host,
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string>? Labels);

/// <summary>The fields of an ect.ComponentRequest item: what was asked, and where it stands.</summary>
public sealed record ComponentRequestFields(
    [property: JsonPropertyName("capability")] string Capability,
    [property: JsonPropertyName("containerId")] string? ContainerId,
    [property: JsonPropertyName("selector")] SelectorFields? Selector,
    [property: JsonPropertyName("initialValues")] IReadOnlyDictionary<string, JsonElement>? InitialValues,
    [property: JsonPropertyName("lastValues")] IReadOnlyDictionary<string, JsonElement>? LastValues,
    [property: JsonPropertyName("assignedContainerId")] string? AssignedContainerId,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("componentId")] string? ComponentId)
{
    /// <summary>What people call the component (the dashboard's label for it): given with the
    /// request or changed later; a request made without one is named "Capability N" by the server.</summary>
    [JsonPropertyName("name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    /// <summary>The values a component starts from, before its capability's defaults are
    /// considered: the initial values, replaced by the last values.</summary>
    public Dictionary<string, JsonElement> StartValues()
    {
        var values = new Dictionary<string, JsonElement>(InitialValues ?? new Dictionary<string, JsonElement>());
        foreach (var (name, value) in LastValues ?? new Dictionary<string, JsonElement>())
        {
            values[name] = value;
        }
        return values;
    }
}

/// <summary>Reads and writes the component layer's item fields.</summary>
public static class EctJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The fields as a record, or null when they do not have the expected shape (a
    /// member of the wrong type, or a non-nullable one missing or null).</summary>
    public static T? Read<T>(JsonElement fields) where T : class
    {
        try
        {
            return fields.Deserialize<T>(Options) is { } read && EctShape.IsComplete(read) ? read : null;
        }
        catch (Exception unreadable) when (unreadable is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The record as an item's fields.</summary>
    public static JsonElement Write<T>(T fields) => JsonSerializer.SerializeToElement(fields, Options);
}

/// <summary>
/// A property of a component by stable identity: the component made for a request
/// (componentRequestId), or one a container made on its own (containerId and component name).
/// </summary>
public sealed record PropertyReference(
    [property: JsonPropertyName("componentRequestId")] Guid? ComponentRequestId,
    [property: JsonPropertyName("containerId")] string? ContainerId,
    [property: JsonPropertyName("component")] string? Component,
    [property: JsonPropertyName("property")] string Property)
{
    /// <summary>The component id this reference resolves to, or null when it names none.</summary>
    public string? ComponentId() =>
        ComponentRequestId is { } request ? Ect.ComponentIdForRequest(request)
        : ContainerId is { } container && Component is { } name ? Ect.ComponentIdForLocal(container, name)
        : null;
}

/// <summary>The fields of an ect.Link item.</summary>
public sealed record LinkFields(
    [property: JsonPropertyName("source")] PropertyReference Source,
    [property: JsonPropertyName("destination")] PropertyReference Destination);

/// <summary>The fields of an ect.Constant item.</summary>
public sealed record ConstantFields(
    [property: JsonPropertyName("destination")] PropertyReference Destination,
    [property: JsonPropertyName("value")] JsonElement Value);
