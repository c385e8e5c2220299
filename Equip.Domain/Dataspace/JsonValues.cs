using System.Buffers;
using System.Text.Json;

namespace Equip.Domain.Dataspace;

public static class JsonValues
{
    /// The top-level field that a value change replaces (a property's value).
    public const string ValueField = "value";

    public static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public static readonly JsonElement Null = JsonDocument.Parse("null").RootElement.Clone();

    /// Structural equality, with numbers compared by value so that 1 and 1.0 are equal.
    /// DeepEquals compares numbers by their exact decimal value; going through a double (or a
    /// decimal) would make 9007199254740993 equal 9007199254740992, and 1e-30 equal 0.
    public static bool AreEqual(JsonElement a, JsonElement b) => JsonElement.DeepEquals(a, b);

    /// The fields' top-level "value", or null when they have none (or are not an object).
    public static JsonElement? ValueOf(JsonElement fields) =>
        fields.ValueKind == JsonValueKind.Object && fields.TryGetProperty(ValueField, out var value) ? value : null;

    /// The fields with "value" replaced (or added at the end), every other member as it was.
    public static JsonElement WithValue(JsonElement fields, JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            var replaced = false;
            if (fields.ValueKind == JsonValueKind.Object)
            {
                foreach (var member in fields.EnumerateObject())
                {
                    if (member.NameEquals(ValueField))
                    {
                        if (!replaced)
                        {
                            writer.WritePropertyName(ValueField);
                            value.WriteTo(writer);
                            replaced = true;
                        }
                        continue;
                    }
                    member.WriteTo(writer);
                }
            }
            if (!replaced)
            {
                writer.WritePropertyName(ValueField);
                value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return JsonElement.Parse(buffer.WrittenSpan);
    }
}
