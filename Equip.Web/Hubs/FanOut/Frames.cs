using System.Text.Json;
using System.Text.Json.Serialization;
using Equip.Protocol;
using MessagePack;
using MessagePack.Formatters;

namespace Equip.Web.Hubs.FanOut;

/// The Changes message as the server writes it: the same shape as ChangesMessage, with each
/// event's item copied from its shared encoding instead of serialized again per subscriber.
[MessagePackObject]
public sealed class ChangesFrame
{
    [Key("subscriptionId")] public required string SubscriptionId { get; init; }

    [Key("events")] public required IReadOnlyList<EventFrame> Events { get; init; }
}

/// The Values message as the server writes it (the shape of ValuesMessage), each entry copied
/// from its shared encoding.
[MessagePackObject]
public sealed class ValuesFrame
{
    [Key("subscriptionId")] public required string SubscriptionId { get; init; }

    [Key("values")] public required IReadOnlyList<ValueFrame> Values { get; init; }
}

/// One WireEvent of a Changes message: the shared event, and whether its item matches this
/// subscriber's whole pattern.
[JsonConverter(typeof(EventFrameJsonConverter))]
[MessagePackFormatter(typeof(EventFrameFormatter))]
public readonly record struct EventFrame(SharedEvent Event, bool Matches)
{
    public string Kind => Event.Change.Kind switch
    {
        Domain.Dataspace.ChangeKind.Added => "added",
        Domain.Dataspace.ChangeKind.Updated => "updated",
        _ => "deleted",
    };

    public string? Reason => Event.Change.Reason switch
    {
        Domain.Dataspace.DeleteReason.Explicit => "explicit",
        Domain.Dataspace.DeleteReason.Bound => "bound",
        Domain.Dataspace.DeleteReason.LeaseExpired => "leaseExpired",
        _ => null,
    };
}

/// One WireValue of a Values message.
[JsonConverter(typeof(ValueFrameJsonConverter))]
[MessagePackFormatter(typeof(ValueFrameFormatter))]
public readonly record struct ValueFrame(SharedEvent Event);

public sealed class EventFrameJsonConverter : JsonConverter<EventFrame>
{
    public override EventFrame Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("The server only writes event frames.");

    public override void Write(Utf8JsonWriter writer, EventFrame frame, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("revision", frame.Event.Revision);
        writer.WriteString("kind", frame.Kind);
        writer.WriteString("reason", frame.Reason);
        writer.WritePropertyName("item");
        writer.WriteRawValue(frame.Event.ItemJson(options), skipInputValidation: true);
        writer.WriteBoolean("matches", frame.Matches);
        writer.WriteEndObject();
    }
}

public sealed class ValueFrameJsonConverter : JsonConverter<ValueFrame>
{
    public override ValueFrame Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("The server only writes value frames.");

    public override void Write(Utf8JsonWriter writer, ValueFrame frame, JsonSerializerOptions options) =>
        writer.WriteRawValue(frame.Event.ValueJson(options), skipInputValidation: true);
}

public sealed class EventFrameFormatter : IMessagePackFormatter<EventFrame>
{
    public void Serialize(ref MessagePackWriter writer, EventFrame frame, MessagePackSerializerOptions options)
    {
        writer.WriteMapHeader(5);
        writer.Write("revision");
        writer.Write(frame.Event.Revision);
        writer.Write("kind");
        writer.Write(frame.Kind);
        writer.Write("reason");
        writer.Write(frame.Reason);
        writer.Write("item");
        writer.WriteRaw(frame.Event.ItemMessagePack(options));
        writer.Write("matches");
        writer.Write(frame.Matches);
    }

    public EventFrame Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        throw new NotSupportedException("The server only writes event frames.");
}

public sealed class ValueFrameFormatter : IMessagePackFormatter<ValueFrame>
{
    public void Serialize(ref MessagePackWriter writer, ValueFrame frame, MessagePackSerializerOptions options) =>
        writer.WriteRaw(frame.Event.ValueMessagePack(options));

    public ValueFrame Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        throw new NotSupportedException("The server only writes value frames.");
}
