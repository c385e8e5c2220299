using System.Buffers;
using System.Text.Json;
using MessagePack;
using MessagePack.Formatters;

namespace Equip.Protocol;

/// Carries JSON values natively in MessagePack: objects as maps, arrays as arrays, numbers as
/// integers or floats, so that item fields read the same whichever protocol a client speaks.
public sealed class JsonElementFormatter : IMessagePackFormatter<JsonElement>
{
    /// The one instance.
    public static readonly JsonElementFormatter Instance = new();

    /// <inheritdoc />
    public void Serialize(ref MessagePackWriter writer, JsonElement value, MessagePackSerializerOptions options)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = value.EnumerateObject().ToList();
                writer.WriteMapHeader(properties.Count);
                foreach (var property in properties)
                {
                    writer.Write(property.Name);
                    Serialize(ref writer, property.Value, options);
                }
                break;
            case JsonValueKind.Array:
                writer.WriteArrayHeader(value.GetArrayLength());
                foreach (var element in value.EnumerateArray())
                {
                    Serialize(ref writer, element, options);
                }
                break;
            case JsonValueKind.String:
                writer.Write(value.GetString());
                break;
            case JsonValueKind.Number when value.TryGetInt64(out var integer):
                writer.Write(integer);
                break;
            case JsonValueKind.Number when value.TryGetUInt64(out var unsigned):
                writer.Write(unsigned);
                break;
            case JsonValueKind.Number:
                writer.Write(value.GetDouble());
                break;
            case JsonValueKind.True:
                writer.Write(true);
                break;
            case JsonValueKind.False:
                writer.Write(false);
                break;
            default:
                writer.WriteNil();
                break;
        }
    }

    /// <inheritdoc />
    public JsonElement Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Copy(ref reader, json, options);
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void Copy(ref MessagePackReader reader, Utf8JsonWriter json, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        try
        {
            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Nil:
                    reader.ReadNil();
                    json.WriteNullValue();
                    break;
                case MessagePackType.Boolean:
                    json.WriteBooleanValue(reader.ReadBoolean());
                    break;
                case MessagePackType.Integer when reader.NextCode == MessagePackCode.UInt64:
                    json.WriteNumberValue(reader.ReadUInt64());
                    break;
                case MessagePackType.Integer:
                    json.WriteNumberValue(reader.ReadInt64());
                    break;
                case MessagePackType.Float:
                    json.WriteNumberValue(reader.ReadDouble());
                    break;
                case MessagePackType.String:
                    json.WriteStringValue(reader.ReadString());
                    break;
                case MessagePackType.Binary:
                    json.WriteBase64StringValue(reader.ReadBytes()?.ToArray() ?? []);
                    break;
                case MessagePackType.Array:
                    var length = reader.ReadArrayHeader();
                    json.WriteStartArray();
                    for (var i = 0; i < length; i++)
                    {
                        Copy(ref reader, json, options);
                    }
                    json.WriteEndArray();
                    break;
                case MessagePackType.Map:
                    var count = reader.ReadMapHeader();
                    json.WriteStartObject();
                    for (var i = 0; i < count; i++)
                    {
                        if (reader.NextMessagePackType != MessagePackType.String)
                        {
                            throw new MessagePackSerializationException("JSON object keys must be strings.");
                        }
                        json.WritePropertyName(reader.ReadString()!);
                        Copy(ref reader, json, options);
                    }
                    json.WriteEndObject();
                    break;
                default:
                    throw new MessagePackSerializationException($"A {reader.NextMessagePackType} has no JSON equivalent.");
            }
        }
        finally
        {
            reader.Depth--;
        }
    }
}
