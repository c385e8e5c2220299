using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Equip.Domain.Peers;
using Equip.Protocol;

namespace Equip.Mqtt;

/// What the broker knows of one Homie device: who publishes it, its description and state, the
/// items made for it, and the latest payload of each property (for a description still to come).
internal sealed class HomieDevice(string id, string root)
{
    public string Id => id;

    /// `homie/5/<id>` (Homie 5) or `homie/<id>` (Homie 4).
    public string Root => root;

    public bool IsHomie4 => !root.StartsWith("homie/5/", StringComparison.Ordinal);

    /// Homie 4's attributes by their path under the root (`$name`, `light/$properties`, ...).
    public ConcurrentDictionary<string, string> Attributes { get; } = new();
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

    /// A Homie 4 device's attributes as a description: `$name`, `$nodes` (comma-separated), each
    /// node's `$name`, `$type` and `$properties`, each property's `$name`, `$datatype`,
    /// `$settable`, `$retained`, `$unit` and `$format`.
    public HomieDescription Homie4Description()
    {
        string? Get(string path) => Attributes.TryGetValue(path, out var value) ? value : null;
        static string[] List(string? value) => value?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var nodes = new Dictionary<string, HomieNode>();
        foreach (var node in List(Get("$nodes")))
        {
            var properties = new Dictionary<string, HomieProperty>();
            foreach (var property in List(Get($"{node}/$properties")))
            {
                var at = $"{node}/{property}/";
                properties[property] = new HomieProperty(Get(at + "$name"), Get(at + "$datatype"), Get(at + "$format"),
                    Get(at + "$settable") == "true", Get(at + "$retained") != "false", Get(at + "$unit"));
            }
            nodes[node] = new HomieNode(Get($"{node}/$name"), Get($"{node}/$type"), properties);
        }
        return new HomieDescription(Get("$name"), nodes);
    }
}
