using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Equip.Domain.Peers;
using Equip.Protocol;

namespace Equip.Mqtt;

/// What the broker knows of one Homie device: who publishes it, its description and state, the
/// items made for it, and the latest payload of each property (for a description still to come).
internal sealed class HomieDevice(string id)
{
    public string Id => id;
    public PeerActor? By { get; set; }
    public HomieDescription? Description { get; set; }
    public string? State { get; set; }
    public HashSet<Guid> Items { get; set; } = [];
    public ConcurrentDictionary<(string Node, string Property), byte[]> Payloads { get; } = new();

    /// A payload as a value of the property's type: the text itself for the string-like
    /// datatypes, else as TopicPayloads reads it, converted without loss; null when it does not convert.
    public static JsonElement? Convert(byte[] payload, string? datatype)
    {
        var type = HomieDescription.TypeOf(datatype);
        var value = type == "string" ? JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(payload)) : TopicPayloads.ToValue(new ReadOnlySequence<byte>(payload));
        return EctValues.TryConvert(value, type, out var converted) ? converted : null;
    }
}
