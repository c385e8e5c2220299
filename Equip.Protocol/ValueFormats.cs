using System.Text.Json;
using System.Text.Json.Serialization;
using MessagePack;
using MessagePack.Formatters;

namespace Equip.Protocol;

/// <summary>A value entry as the JSON array <c>["id", value]</c>.</summary>
public sealed class ValueEntryJsonConverter : JsonConverter<ValueEntry>
{
    /// <inheritdoc />
    public override ValueEntry Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        reader.Read();
        var id = reader.TokenType == JsonTokenType.String ? reader.GetGuid() : throw new JsonException("A value entry starts with the item's id.");
        reader.Read();
        var value = JsonElement.ParseValue(ref reader);
        reader.Read();
        Expect(ref reader, JsonTokenType.EndArray);
        return new ValueEntry(id, value);
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
    public ValueEntry Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException("A value entry is an array of two: [itemId, value].");
        }
        var id = GuidStrings.Read(ref reader);
        return new ValueEntry(id, JsonElementFormatter.Instance.Deserialize(ref reader, options));
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
