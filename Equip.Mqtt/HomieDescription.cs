using System.Text.Json;
using System.Text.Json.Serialization;

namespace Equip.Mqtt;

/// A Homie 5 device's `$description` (the parts the mapping uses): its name, and its nodes with
/// their properties. Datatypes become property types: integer → integer, float → number, boolean →
/// boolean, json → json, and string, enum, color, datetime and duration → string.
internal sealed record HomieDescription(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("nodes")] Dictionary<string, HomieNode>? Nodes)
{
    public static HomieDescription? Parse(JsonElement json)
    {
        try
        {
            return json.ValueKind == JsonValueKind.Object ? json.Deserialize<HomieDescription>() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string TypeOf(string? datatype) => datatype switch
    {
        "integer" => "integer",
        "float" => "number",
        "boolean" => "boolean",
        "json" => "json",
        _ => "string",
    };
}

internal sealed record HomieNode(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("properties")] Dictionary<string, HomieProperty>? Properties);

internal sealed record HomieProperty(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("datatype")] string? Datatype,
    [property: JsonPropertyName("format")] string? Format,
    [property: JsonPropertyName("settable")] bool Settable,
    [property: JsonPropertyName("retained")] bool? Retained,
    [property: JsonPropertyName("unit")] string? Unit);
