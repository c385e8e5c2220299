using System.Text.Json;

namespace Equip.Tests.Mqtt;

/// A component's properties as /api/components lists them. A property not listed yet reads as
/// absent, never as an error: a Homie node's or a native component's properties are items of
/// their own, written after its component, so a wait can see the component without them.
internal static class ListedComponent
{
    /// The property (name, type, value, readOnly), or null while it is not listed.
    public static JsonElement? Property(JsonElement component, string name) =>
        component.GetProperty("properties").EnumerateArray().FirstOrDefault(p => p.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } found
            ? found
            : null;

    /// The property's value; undefined while the property is not listed.
    public static JsonElement Value(JsonElement component, string name) =>
        Property(component, name)?.GetProperty("value") ?? default;

    /// The value as a number; null while it is not one (not listed yet, or still null).
    public static double? Number(JsonElement component, string name) =>
        Value(component, name) is { ValueKind: JsonValueKind.Number } number ? number.GetDouble() : null;

    /// The value as text; null while it is not text (not listed yet, or still null).
    public static string? Text(JsonElement component, string name) =>
        Value(component, name) is { ValueKind: JsonValueKind.String } text ? text.GetString() : null;
}
