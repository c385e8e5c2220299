using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Observability;
using Equip.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Equip.Mqtt;

/// Topics as components of the broker's container (docs/mqtt.md, Topics): each topic published
/// is an ect.Component (capability mqtt.Topic, component id "mqtt/" + the topic) with a writable
/// property "value" (the last payload) and a read-only property "retained" (the retained
/// message, or null). A topic with a retained message is kept in the store, so its retained
/// message outlives a restart; one without is bound to the broker's process. A value written to
/// "value" from outside (a link, REST, the dashboard, a hub client) is published on the topic.
internal sealed partial class BrokerTopics(IDataspace dataspace, WrittenValues written, BrokerOutbox outbox, IOptions<MqttOptions> options, ILogger<BrokerTopics> logger)
{
    public const string Capability = "mqtt.Topic";
    public const string ValueProperty = "value", RetainedProperty = "retained";
    private const int MaxTopicLength = 200;
    private readonly ConcurrentDictionary<string, Topic> _byTopic = new();
    private readonly SemaphoreSlim _making = new(1, 1);

    /// The topics kept in the store. (Process-bound topics of the broker's earlier incarnation go
    /// with that incarnation's session, as any peer's items; retained messages come back from
    /// RetainedMessages.)
    public async Task LoadAsync()
    {
        var snapshot = await dataspace.SnapshotAsync(new Pattern(Ect.Property, Responsible: MqttBroker.PeerId));
        foreach (var item in snapshot.Items)
        {
            if (EctJson.Read<PropertyFields>(item.Fields) is { Name: ValueProperty } property && property.ComponentId.StartsWith(MqttBroker.PeerId + "/", StringComparison.Ordinal))
            {
                Remember(new Topic(property.ComponentId[(MqttBroker.PeerId.Length + 1)..], Retained: !item.ProcessBound));
            }
        }
    }

    /// A client published: the topic's value is the payload; with the retain flag, its retained
    /// message too (an empty payload clears it).
    public async Task PublishedAsync(string topic, ReadOnlySequence<byte> payload, bool retain, PeerActor actor)
    {
        if (topic.StartsWith('$') || topic.Length > MaxTopicLength)
        {
            return;
        }
        var value = TopicPayloads.ToValue(payload);
        var keeps = retain ? !payload.IsEmpty : (bool?)null; // whether the topic has a retained message after this
        if (_byTopic.TryGetValue(topic, out var known) && (keeps is null || keeps == known.Retained))
        {
            List<ValueWrite> values = [new(known.ValueItem, value)];
            if (retain)
            {
                values.Add(new(known.RetainedItem, keeps == true ? value : JsonValues.Null));
            }
            await dataspace.EnqueueValuesAsync(new SetValues(values, actor));
            return;
        }
        await _making.WaitAsync();
        try
        {
            if (!_byTopic.ContainsKey(topic) && _byTopic.Count >= options.Value.MaxTopics)
            {
                if (ThrottledWarning.ShouldLog("mqtt:topics"))
                {
                    TooManyTopics(logger, options.Value.MaxTopics, topic);
                }
                return;
            }
            var retainedNow = keeps ?? (_byTopic.TryGetValue(topic, out var was) && was.Retained);
            var retainedValue = keeps switch { true => value, false => JsonValues.Null, null => await RetainedValueAsync(topic) };
            await MakeAsync(new Topic(topic, retainedNow), value, retainedValue, actor);
        }
        finally
        {
            _making.Release();
        }
    }

    /// Makes the topic's component (value null) unless it has one: for a link or a constant that
    /// names a topic nothing has been published on yet (LinkedTopics).
    public async Task EnsureAsync(string topic, PeerActor actor)
    {
        if (topic.StartsWith('$') || topic.Length > MaxTopicLength || _byTopic.ContainsKey(topic))
        {
            return;
        }
        await _making.WaitAsync();
        try
        {
            if (!_byTopic.ContainsKey(topic))
            {
                await MakeAsync(new Topic(topic, Retained: false), JsonValues.Null, JsonValues.Null, actor);
            }
        }
        finally
        {
            _making.Release();
        }
    }

    /// Adds (or re-adds, when whether it is retained changed) the topic's component and properties.
    private async Task MakeAsync(Topic topic, JsonElement value, JsonElement retained, PeerActor actor)
    {
        // Watched before its items exist (WrittenValues); publishes take the fast path only once
        // all three items exist.
        Watch(topic);
        var component = new ComponentFields(topic.ComponentId, MqttBroker.PeerId, Capability, null, topic.Name);
        await dataspace.AddAsync(Add(Ect.ComponentItemId(topic.ComponentId), Ect.Component, EctJson.Write(component), topic, actor));
        await dataspace.AddAsync(Add(topic.ValueItem, Ect.Property,
            EctJson.Write(new PropertyFields(topic.ComponentId, ValueProperty, "json", false, value)), topic, actor));
        await dataspace.AddAsync(Add(topic.RetainedItem, Ect.Property,
            EctJson.Write(new PropertyFields(topic.ComponentId, RetainedProperty, "json", true, retained)), topic, actor));
        Remember(topic);
    }

    private static AddItem Add(Guid id, string type, JsonElement fields, Topic topic, PeerActor actor) =>
        new(id, type, fields, MqttBroker.PeerId, ProcessBound: !topic.Retained, By: actor);

    private async Task<JsonElement> RetainedValueAsync(string topic) =>
        (await dataspace.GetAsync(Ect.PropertyItemId(MqttBroker.PeerId + "/" + topic, RetainedProperty)))?.Value ?? JsonValues.Null;

    private void Remember(Topic topic)
    {
        _byTopic[topic.Name] = topic;
        Watch(topic);
    }

    /// Values written into the topic's value from outside go out on the topic; a topic whose
    /// items were deleted is forgotten.
    private void Watch(Topic topic) =>
        written.Watch(topic.ValueItem, MqttBroker.PeerId, value => outbox.Publish(topic.Name, TopicPayloads.ToPayload(value)),
            () => _byTopic.TryRemove(new KeyValuePair<string, Topic>(topic.Name, topic)));

    /// A mapped topic, with the ids of its items (name-based: made once, not at every message).
    private sealed record Topic(string Name, bool Retained)
    {
        public string ComponentId { get; } = Ect.ComponentIdForLocal(MqttBroker.PeerId, Name);

        public Guid ValueItem { get; } = Ect.PropertyItemId(Ect.ComponentIdForLocal(MqttBroker.PeerId, Name), ValueProperty);

        public Guid RetainedItem { get; } = Ect.PropertyItemId(Ect.ComponentIdForLocal(MqttBroker.PeerId, Name), RetainedProperty);
    }

    [LoggerMessage(1, LogLevel.Warning, "MQTT topics beyond Equip:Mqtt:MaxTopics ({Max}) are delivered but not mapped onto the dataspace: '{Topic}'", EventName = "MqttTooManyTopics")]
    private static partial void TooManyTopics(ILogger logger, int max, string topic);
}
