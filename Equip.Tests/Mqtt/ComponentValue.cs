using System.Text.Json;

namespace Equip.Tests.Mqtt;

/// A property's value in a component as /api/components lists it.
internal static class ComponentValue
{
    /// The value; undefined while the component does not list the property yet (a Homie node's or
    /// a native component's properties are items of their own, written after its component).
    public static JsonElement Of(JsonElement component, string property) =>
        component.GetProperty("properties").EnumerateArray().FirstOrDefault(p => p.GetProperty("name").GetString() == property) is { ValueKind: JsonValueKind.Object } found
            ? found.GetProperty("value")
            : default;

    /// The value as a number; null while it is not one (not listed yet, or still null).
    public static double? NumberOf(JsonElement component, string property) =>
        Of(component, property) is { ValueKind: JsonValueKind.Number } number ? number.GetDouble() : null;

    /// The value as text; null while it is not text (not listed yet, or still null).
    public static string? TextOf(JsonElement component, string property) =>
        Of(component, property) is { ValueKind: JsonValueKind.String } text ? text.GetString() : null;
}
