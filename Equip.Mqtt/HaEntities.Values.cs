using System.Buffers;
using System.Text;
using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Protocol;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Equip.Mqtt;

/// The values of Home Assistant entities: a state payload read through the value template into the
/// state's type, and a value written into `command` turned into the command topic's payload.
internal sealed partial class HaEntities
{
    /// The state payload as the entity's state: the part the template names (the whole payload
    /// without one), then for the on/off platforms true for the on payload and false for the off
    /// payload (a JSON object's "state" when no template names a part), else converted to the
    /// state's type without loss; null when it does not convert.
    private static JsonElement? Value(HaEntity entity, ReadOnlySequence<byte> payload)
    {
        var value = TopicPayloads.ToValue(payload);
        foreach (var name in entity.Config.ValuePath)
        {
            value = value.ValueKind switch
            {
                JsonValueKind.Object when value.TryGetProperty(name, out var inner) => inner,
                JsonValueKind.Array when int.TryParse(name, out var index) && index < value.GetArrayLength() => value[index],
                _ => JsonValues.Null,
            };
        }
        if (entity.Type != "boolean")
        {
            return EctValues.TryConvert(value, entity.Type, out var converted) ? converted : null;
        }
        if (entity.Config.ValuePath.Length == 0 && value.ValueKind == JsonValueKind.Object && value.TryGetProperty("state", out var state))
        {
            value = state; // a light's JSON schema
        }
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
        return text == entity.Config.PayloadOn ? True : text == entity.Config.PayloadOff ? False
            : EctValues.TryConvert(value, "boolean", out var flag) ? flag : null;
    }

    /// The command topic's payload for a value written into `command`: the on or off payload for
    /// a boolean, the press payload for a button, else the value as a payload.
    private static byte[] Command(HaEntity entity, JsonElement value) => entity switch
    {
        { Config.Platform: "button" } => Encoding.UTF8.GetBytes(entity.Config.PayloadPress ?? "PRESS"),
        { Type: "boolean" } when value.ValueKind is JsonValueKind.True or JsonValueKind.False =>
            Encoding.UTF8.GetBytes(value.ValueKind == JsonValueKind.True ? entity.Config.PayloadOn : entity.Config.PayloadOff),
        _ => TopicPayloads.ToPayload(value),
    };

    /// A value written into `command` from outside goes to the command topic.
    private void Commanded(HaEntity entity, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Null && entity.Config.CommandTopic is { } topic)
        {
            outbox.Publish(topic, Command(entity, value));
        }
    }

    private static readonly JsonElement True = JsonSerializer.SerializeToElement(true), False = JsonSerializer.SerializeToElement(false);
}

/// One discovered entity: its config, who published it, its state type and the items made for it.
internal sealed class HaEntity(HaConfig config, PeerActor by, string type)
{
    public HaConfig Config => config;
    public PeerActor By => by;
    public string Type => type;
    public string ComponentId { get; } = Ect.ComponentIdForLocal(config.DeviceId, config.ObjectId);
    public List<Guid> Items { get; } = [];
}
