using System.Text.Json;

namespace Equip.Tests.Domain;

/// JSON values for the domain tests, written as text.
internal static class Json
{
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// Text with single quotes for double ones, so that JSON in a test reads without escapes.
    public static JsonElement Quoted(string json) => Parse(json.Replace('\'', '"'));

    public static readonly JsonElement Empty = Parse("{}");
}
