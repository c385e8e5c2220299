using System.Text.Json;
using System.Text.Json.Serialization;
using MessagePack;
using MessagePack.Formatters;

namespace Equip.Protocol;

/// <summary>
/// A value entry as the JSON array <c>["id", value]</c>. An entry that cannot be read as one (an
/// id that is no GUID string, not two elements) is read as an entry without a value, which the
/// server refuses on its own, so that one bad entry does not make the whole call unreadable.
/// </summary>
public sealed class ValueEntryJsonConverter : JsonConverter<ValueEntry>
{
    /// <inheritdoc />
    public override ValueEntry Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return default;
        }
        var id = Guid.Empty;
        JsonElement value = default;
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (count++)
            {
                case 0:
                    id = reader.TokenType == JsonTokenType.String && reader.TryGetGuid(out var read) ? read : Guid.Empty;
                    reader.Skip();
                    break;
                case 1:
                    value = JsonElement.ParseValue(ref reader);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        var readable = count == 2 && id != Guid.Empty;
        return readable ? new ValueEntry(id, value) : new ValueEntry(id, default);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ValueEntry entry, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(entry.ItemId);
        entry.Value.WriteTo(writer);
        writer.WriteEndArray();
    }

    internal static void Expect(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (reader.TokenType != token)
        {
            throw new JsonException($"A value entry is an array: expected {token}, found {reader.TokenType}.");
        }
    }
}

/// <summary>A value change as the JSON array <c>["id", revision, value]</c>.</summary>
public sealed class WireValueJsonConverter : JsonConverter<WireValue>
{
    /// <inheritdoc />
    public override WireValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        ValueEntryJsonConverter.Expect(ref reader, JsonTokenType.StartArray);
        reader.Read();
        var id = reader.GetGuid();
        reader.Read();
        var revision = reader.GetInt64();
        reader.Read();
        var value = JsonElement.ParseValue(ref reader);
        reader.Read();
        ValueEntryJsonConverter.Expect(ref reader, JsonTokenType.EndArray);
        return new WireValue(id, revision, value);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, WireValue change, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(change.ItemId);
        writer.WriteNumberValue(change.Revision);
        change.Value.WriteTo(writer);
        writer.WriteEndArray();
    }
}

/// <summary>A value entry as the MessagePack array <c>[id, value]</c>, the id a 36-character string.</summary>
public sealed class ValueEntryFormatter : IMessagePackFormatter<ValueEntry>
{
    /// <inheritdoc />
    public void Serialize(ref MessagePackWriter writer, ValueEntry entry, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(2);
        GuidStrings.Write(ref writer, entry.ItemId);
        JsonElementFormatter.Instance.Serialize(ref writer, entry.Value, options);
    }

    /// <inheritdoc />
    /// <remarks>An entry that cannot be read as one (not an array of two, an id that is no GUID
    /// string, a value with no JSON equivalent such as NaN) is read as an entry without a value,
    /// which the server refuses on its own.</remarks>
    public ValueEntry Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.NextMessagePackType != MessagePackType.Array)
        {
            reader.Skip();
            return default;
        }
        var count = reader.ReadArrayHeader();
        var id = Guid.Empty;
        JsonElement value = default;
        for (var i = 0; i < count; i++)
        {
            var start = reader;
            try
            {
                switch (i)
                {
                    case 0:
                        id = GuidStrings.Read(ref reader);
                        break;
                    case 1:
                        value = JsonElementFormatter.Instance.Deserialize(ref reader, options);
                        break;
                    default:
                        reader.Skip();
                        value = default;
                        break;
                }
            }
            catch (Exception unreadable) when (unreadable is MessagePackSerializationException or FormatException or InvalidOperationException)
            {
                reader = start;
                reader.Skip();
                value = default;
            }
        }
        return id == Guid.Empty || count != 2 ? new ValueEntry(id, default) : new ValueEntry(id, value);
    }
}

/// <summary>A value change as the MessagePack array <c>[id, revision, value]</c>.</summary>
public sealed class WireValueFormatter : IMessagePackFormatter<WireValue>
{
    /// <inheritdoc />
    public void Serialize(ref MessagePackWriter writer, WireValue change, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(3);
        GuidStrings.Write(ref writer, change.ItemId);
        writer.Write(change.Revision);
        JsonElementFormatter.Instance.Serialize(ref writer, change.Value, options);
    }

    /// <inheritdoc />
    public WireValue Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.ReadArrayHeader() != 3)
        {
            throw new MessagePackSerializationException("A value change is an array of three: [itemId, revision, value].");
        }
        var id = GuidStrings.Read(ref reader);
        var revision = reader.ReadInt64();
        return new WireValue(id, revision, JsonElementFormatter.Instance.Deserialize(ref reader, options));
    }
}

/// <summary>GUIDs as MessagePack-CSharp's standard formatter writes them: 36-character strings.</summary>
internal static class GuidStrings
{
    public static void Write(ref MessagePackWriter writer, Guid id)
    {
        writer.WriteStringHeader(36);
        var text = writer.GetSpan(36);
        id.TryFormat(text, out _, "D");
        writer.Advance(36);
    }

    public static Guid Read(ref MessagePackReader reader) =>
        MessagePack.Formatters.GuidFormatter.Instance.Deserialize(ref reader, MessagePackSerializerOptions.Standard);
}
