using System.Buffers;
using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Protocol;
using MessagePack;

namespace Equip.Web.Hubs.FanOut;

/// One published event as the hub sends it: its item (for Changes) and its value entry (for
/// Values) are encoded once per protocol, the first time a connection speaking it is sent the
/// event, and the bytes are copied into every other subscriber's message. Safe to share between
/// threads: an encoding is computed whole and published by one reference write.
public sealed class SharedEvent(ChangeEvent change)
{
    private Encoded? _itemJson;
    private Encoded? _itemMessagePack;
    private Encoded? _valueJson;
    private Encoded? _valueMessagePack;

    public ChangeEvent Change => change;

    public long Revision => change.Revision;

    public ReadOnlySpan<byte> ItemJson(JsonSerializerOptions options) =>
        Cached(ref _itemJson, options, () => JsonSerializer.SerializeToUtf8Bytes(change.Item.ToWire(), options));

    public ReadOnlySpan<byte> ItemMessagePack(MessagePackSerializerOptions options) =>
        Cached(ref _itemMessagePack, options, () => MessagePackSerializer.Serialize(change.Item.ToWire(), options));

    public ReadOnlySpan<byte> ValueJson(JsonSerializerOptions options) =>
        Cached(ref _valueJson, options, () => JsonSerializer.SerializeToUtf8Bytes(ValueEntry, options));

    public ReadOnlySpan<byte> ValueMessagePack(MessagePackSerializerOptions options) =>
        Cached(ref _valueMessagePack, options, () => MessagePackSerializer.Serialize(ValueEntry, options));

    /// The value change as a compact entry: id, revision, value.
    public WireValue ValueEntry => new(change.Item.Id, change.Revision, change.Item.Value ?? default);

    private static byte[] Cached(ref Encoded? slot, object options, Func<byte[]> encode)
    {
        var cached = Volatile.Read(ref slot);
        if (cached is not null && ReferenceEquals(cached.Options, options))
        {
            return cached.Bytes;
        }
        var encoded = new Encoded(options, encode());
        Volatile.Write(ref slot, encoded);
        return encoded.Bytes;
    }

    private sealed record Encoded(object Options, byte[] Bytes);
}
