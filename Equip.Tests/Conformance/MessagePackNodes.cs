using System.Globalization;
using System.Text.Json.Nodes;
using MessagePack;

namespace Equip.Tests.Conformance;

/// JSON values as native MessagePack and back, as docs/protocol.md describes them: objects are
/// maps with string keys, whole numbers integers, other numbers float64; a time is read as its
/// instant in ISO form (the pair [timestamp, offsetMinutes] stays a pair).
internal static class MessagePackNodes
{
    public static void Write(ref MessagePackWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNil();
                break;
            case JsonObject map:
                writer.WriteMapHeader(map.Count);
                foreach (var (key, value) in map)
                {
                    writer.Write(key);
                    Write(ref writer, value);
                }
                break;
            case JsonArray array:
                writer.WriteArrayHeader(array.Count);
                foreach (var value in array)
                {
                    Write(ref writer, value);
                }
                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                writer.Write(text);
                break;
            case JsonValue value when value.TryGetValue<bool>(out var flag):
                writer.Write(flag);
                break;
            case JsonValue value when value.TryGetValue<long>(out var whole):
                writer.Write(whole);
                break;
            case JsonValue value when value.TryGetValue<int>(out var small):
                writer.Write(small);
                break;
            case JsonValue value:
                var number = value.GetValue<double>();
                if (Math.Floor(number) == number && Math.Abs(number) < 1e15)
                {
                    writer.Write((long)number);
                }
                else
                {
                    writer.Write(number);
                }
                break;
        }
    }

    public static JsonNode? Read(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return null;
            case MessagePackType.Map:
                var count = reader.ReadMapHeader();
                var map = new JsonObject();
                for (var i = 0; i < count; i++)
                {
                    var key = reader.ReadString()!;
                    map[key] = Read(ref reader);
                }
                return map;
            case MessagePackType.Array:
                var length = reader.ReadArrayHeader();
                var array = new JsonArray();
                for (var i = 0; i < length; i++)
                {
                    array.Add(Read(ref reader));
                }
                return array;
            case MessagePackType.String:
                return JsonValue.Create(reader.ReadString());
            case MessagePackType.Boolean:
                return JsonValue.Create(reader.ReadBoolean());
            case MessagePackType.Integer when reader.NextCode == MessagePackCode.UInt64:
                return JsonValue.Create(reader.ReadUInt64()); // above long.MaxValue, which ReadInt64 refuses
            case MessagePackType.Integer:
                return JsonValue.Create(reader.ReadInt64());
            case MessagePackType.Float:
                return JsonValue.Create(reader.ReadDouble());
            case MessagePackType.Extension:
                var time = reader.ReadDateTime();
                return JsonValue.Create(new DateTimeOffset(time, TimeSpan.Zero).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture));
            default:
                reader.Skip();
                return JsonValue.Create("(unsupported MessagePack value)");
        }
    }
}
