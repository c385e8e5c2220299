using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Protocol;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Equip.Mqtt;

/// Every retained message, on any topic, kept in the store as an item of type mqtt.Retained (a
/// persistent item of the broker, id Ect.Stable("mqtt.Retained", topic); fields "topic" and
/// "value": {"payload": text} or {"base64": bytes}, with "qos"), so that the broker has them
/// again after a restart. A changed retained message is a value change (written behind, as
/// every value); a cleared one deletes the item.
internal sealed class RetainedMessages(IDataspace dataspace)
{
    public const string Type = "mqtt.Retained";
    private readonly ConcurrentDictionary<string, bool> _stored = new(); // topics with an item
    private readonly SemaphoreSlim _writing = new(1, 1);

    public static Guid ItemId(string topic) => Ect.Stable(Type, topic);

    /// The retained messages kept in the store.
    public async Task<List<MqttApplicationMessage>> LoadAsync()
    {
        var snapshot = await dataspace.SnapshotAsync(new Pattern(Type, Responsible: MqttBroker.PeerId));
        var messages = new List<MqttApplicationMessage>();
        foreach (var item in snapshot.Items)
        {
            if (item.Fields.TryGetProperty("topic", out var topic) && topic.ValueKind == JsonValueKind.String && item.Value is { ValueKind: JsonValueKind.Object } value)
            {
                _stored[topic.GetString()!] = true;
                messages.Add(new MqttApplicationMessageBuilder().WithTopic(topic.GetString()).WithPayload(Payload(value)).WithRetainFlag()
                    .WithQualityOfServiceLevel(value.TryGetProperty("qos", out var qos) && qos.TryGetInt32(out var level) ? (MqttQualityOfServiceLevel)Math.Clamp(level, 0, 2) : MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build());
            }
        }
        return messages;
    }

    /// Keeps the topic's retained message as it is now (an empty payload: none).
    public async Task ChangedAsync(MqttApplicationMessage message, Func<ValueTask<PeerActor>> broker)
    {
        var topic = message.Topic;
        var actor = await broker();
        await _writing.WaitAsync();
        try
        {
            if (message.Payload.IsEmpty)
            {
                if (_stored.TryRemove(topic, out _))
                {
                    try
                    {
                        await dataspace.DeleteAsync(new DeleteItem(ItemId(topic), By: actor));
                    }
                    catch (ItemNotFoundException)
                    {
                    }
                }
                return;
            }
            var value = Value(message);
            if (_stored.ContainsKey(topic))
            {
                await dataspace.EnqueueValuesAsync(new SetValues([new ValueWrite(ItemId(topic), value)], actor)
                {
                    OnApplied = outcome =>
                    {
                        if (outcome.Refused.Count > 0)
                        {
                            _stored.TryRemove(topic, out _); // its item was deleted: the next change adds it again
                        }
                    },
                });
                return;
            }
            var fields = JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["topic"] = topic, ["value"] = value });
            await dataspace.AddAsync(new AddItem(ItemId(topic), Type, fields, MqttBroker.PeerId, By: actor));
            _stored[topic] = true;
        }
        finally
        {
            _writing.Release();
        }
    }

    private static JsonElement Value(MqttApplicationMessage message)
    {
        var bytes = System.Buffers.BuffersExtensions.ToArray(message.Payload);
        var qos = (int)message.QualityOfServiceLevel;
        return JsonSerializer.SerializeToElement(TopicPayloads.TryText(bytes, out var text)
            ? new Dictionary<string, object> { ["payload"] = text, ["qos"] = qos }
            : new Dictionary<string, object> { ["base64"] = Convert.ToBase64String(bytes), ["qos"] = qos });
    }

    private static byte[] Payload(JsonElement value) =>
        value.TryGetProperty("payload", out var text) && text.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(text.GetString()!)
        : value.TryGetProperty("base64", out var base64) && base64.ValueKind == JsonValueKind.String ? Convert.FromBase64String(base64.GetString()!)
        : [];
}
