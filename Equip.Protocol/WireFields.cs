using System.Buffers;
using System.Text.Json;

namespace Equip.Protocol;

/// <summary>Item fields as a client keeps them when values arrive on their own (Values, ValuesApplied).</summary>
public static class WireFields
{
    /// <summary>The top-level field that a value change replaces.</summary>
    public const string ValueField = "value";

    /// <summary>
    /// The fields with "value" replaced (or added at the end), every other member as it was.
    /// (The server keeps its own copy of this rule in its domain model, which the client does not ship.)
    /// </summary>
    public static JsonElement WithValue(JsonElement fields, JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (fields.ValueKind == JsonValueKind.Object)
            {
                foreach (var member in fields.EnumerateObject())
                {
                    if (!member.NameEquals(ValueField))
                    {
                        member.WriteTo(writer);
                    }
                }
            }
            writer.WritePropertyName(ValueField);
            value.WriteTo(writer);
            writer.WriteEndObject();
        }
        return JsonElement.Parse(buffer.WrittenSpan);
    }
}
