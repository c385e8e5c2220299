using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Protocol;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Equip.Mqtt;

/// Home Assistant MQTT discovery (docs/mqtt.md, Home Assistant): a config at
/// `homeassistant/<platform>/[<node_id>/]<object_id>/config` makes the entity's device a container
/// and the entity a component (capability: its platform) with a read-only `state` (from its state
/// topic) and, when it has a command topic, a writable `command`, whose values are published
/// there. Published by the client that published the config, bound to its session.
internal sealed partial class HaEntities(IDataspace dataspace, WrittenValues written, BrokerOutbox outbox, ILogger<HaEntities> logger)
{
    public const string Prefix = "homeassistant/";
    private static readonly HashSet<string> Switches = ["binary_sensor", "switch", "light", "fan", "siren", "lock", "valve", "humidifier"];
    private readonly ConcurrentDictionary<string, HaEntity[]> _byConfigTopic = new();
    private readonly ConcurrentDictionary<string, HaEntity[]> _byStateTopic = new();
    private readonly ConcurrentDictionary<string, HaEntity[]> _byAvailabilityTopic = new();
    private MqttServer? _server;

    public static bool IsConfig(string topic) => topic.StartsWith(Prefix, StringComparison.Ordinal) && topic.EndsWith("/config", StringComparison.Ordinal);

    /// Whether the topic is an entity's state or availability topic (not mapped as a plain topic).
    public bool Follows(string topic) => _byStateTopic.ContainsKey(topic) || _byAvailabilityTopic.ContainsKey(topic);

    public void Attach(MqttServer server)
    {
        _server = server;
    }

    /// The entities a retained config message describes (none when it is not one).
    public static IEnumerable<HaConfig> ConfigsOf(string topic, ReadOnlySequence<byte> payload)
    {
        if (payload.IsEmpty || ConfigTopic(topic) is not ({ } platform, var nodeId, { } objectId))
        {
            return [];
        }
        try
        {
            return HaConfig.Read(platform, objectId, nodeId, TopicPayloads.ToValue(payload)).ToList();
        }
        catch (Exception unreadable) when (unreadable is JsonException or InvalidOperationException)
        {
            return [];
        }
    }

    /// A client registered (again): the entities it announced earlier, whose items went with its
    /// earlier session or are written as it, are made again from their retained configs, as the
    /// new association's (a bridge that reconnects does not announce its devices again).
    public async Task RegisteredAsync(PeerActor client)
    {
        foreach (var (topic, entities) in _byConfigTopic)
        {
            if (entities.Any(e => e.By.PeerId == client.PeerId && e.By != client)
                && _server is { } server && await server.GetRetainedMessageAsync(topic) is { } retained)
            {
                await ConfigAsync(topic, retained.Payload, client);
            }
        }
    }

    /// `homeassistant/<platform>/[<node_id>/]<object_id>/config`, read; null for any other topic.
    private static (string Platform, string? NodeId, string ObjectId)? ConfigTopic(string topic) => topic.Split('/') switch
    {
        ["homeassistant", var platform, var objectId, "config"] => (platform, null, objectId),
        ["homeassistant", var platform, var nodeId, var objectId, "config"] => (platform, nodeId, objectId),
        _ => null,
    };

    public async Task ConfigAsync(string topic, ReadOnlySequence<byte> payload, PeerActor by)
    {
        if (ConfigTopic(topic) is not ({ } platform, var nodeId, { } objectId))
        {
            return;
        }
        if (_byConfigTopic.TryRemove(topic, out var earlier))
        {
            await RemoveAsync(earlier, keep: payload.IsEmpty ? [] : null);
        }
        if (payload.IsEmpty)
        {
            return;
        }
        var entities = new List<HaEntity>();
        try
        {
            foreach (var config in HaConfig.Read(platform, objectId, nodeId, TopicPayloads.ToValue(payload)))
            {
                entities.Add(await MakeAsync(config, by));
            }
        }
        catch (Exception error) when (error is DataspaceException or JsonException or InvalidOperationException)
        {
            NotMapped(logger, topic, error.Message);
        }
        _byConfigTopic[topic] = [.. entities];
    }

    private async Task<HaEntity> MakeAsync(HaConfig config, PeerActor by)
    {
        if (!config.TemplateUnderstood)
        {
            NotMapped(logger, config.StateTopic ?? config.ObjectId, "its value_template is not {{ value }} or {{ value_json.<path> }}: the payload is taken as it is");
        }
        var entity = new HaEntity(config, by, StateType(config.Platform));
        var container = new ContainerFields(config.DeviceId, config.DeviceName ?? config.DeviceId, null, new Dictionary<string, string> { ["protocol"] = "homeassistant" });
        await AddAsync(by, Ect.ContainerItemId(config.DeviceId), Ect.Container, EctJson.Write(container));
        await AddComponentAsync(entity, available: null);
        if (config.StateTopic is { } stateTopic)
        {
            var initial = _server is { } server && await server.GetRetainedMessageAsync(stateTopic) is { } retained ? Value(entity, retained.Payload) : null;
            await AddPropertyAsync(entity, "state", entity.Type, readOnly: true, initial ?? JsonValues.Null);
            Follow(_byStateTopic, stateTopic, entity);
        }
        if (config.CommandTopic is not null)
        {
            written.Watch(Ect.PropertyItemId(entity.ComponentId, "command"), by.PeerId, value => Commanded(entity, value));
            await AddPropertyAsync(entity, "command", config.Platform == "button" ? "json" : entity.Type, readOnly: false, JsonValues.Null);
        }
        if (config.AvailabilityTopic is { } availability)
        {
            Follow(_byAvailabilityTopic, availability, entity);
        }
        return entity;
    }

    private Task AddComponentAsync(HaEntity entity, bool? available)
    {
        var fields = (JsonObject)JsonSerializer.SerializeToNode(new ComponentFields(entity.ComponentId, entity.Config.DeviceId, entity.Config.Platform, null, entity.Config.Name ?? entity.Config.ObjectId))!;
        fields["available"] = available;
        fields["unit"] = entity.Config.Unit;
        return AddAsync(entity.By, Ect.ComponentItemId(entity.ComponentId), Ect.Component, JsonSerializer.SerializeToElement(fields));
    }

    private async Task<Guid> AddPropertyAsync(HaEntity entity, string name, string type, bool readOnly, JsonElement value)
    {
        var id = Ect.PropertyItemId(entity.ComponentId, name);
        await AddAsync(entity.By, id, Ect.Property, EctJson.Write(new PropertyFields(entity.ComponentId, name, type, readOnly, value)));
        entity.Items.Add(id);
        return id;
    }

    private Task AddAsync(PeerActor by, Guid id, string type, JsonElement fields) =>
        dataspace.AddAsync(new AddItem(id, type, fields, by.PeerId, ProcessBound: true, By: by));

    /// A message on a followed topic: the state of its entities, or their availability.
    public async Task FollowedAsync(string topic, ReadOnlySequence<byte> payload)
    {
        foreach (var entity in _byStateTopic.GetValueOrDefault(topic) ?? [])
        {
            if (Value(entity, payload) is { } value)
            {
                await dataspace.EnqueueValuesAsync(new SetValues([new ValueWrite(Ect.PropertyItemId(entity.ComponentId, "state"), value)], entity.By));
            }
        }
        var text = System.Text.Encoding.UTF8.GetString(payload.ToArray());
        foreach (var entity in _byAvailabilityTopic.GetValueOrDefault(topic) ?? [])
        {
            bool? available = text == entity.Config.PayloadAvailable ? true : text == entity.Config.PayloadNotAvailable ? false : null;
            if (available is not null)
            {
                await AddComponentAsync(entity, available);
            }
        }
    }

    private static void Follow(ConcurrentDictionary<string, HaEntity[]> map, string topic, HaEntity entity) =>
        map.AddOrUpdate(topic, [entity], (_, others) => [.. others.Where(e => e.ComponentId != entity.ComponentId), entity]);

    private async Task RemoveAsync(HaEntity[] entities, IReadOnlyList<string>? keep)
    {
        foreach (var entity in entities)
        {
            foreach (var map in new[] { _byStateTopic, _byAvailabilityTopic })
            {
                foreach (var (topic, followers) in map)
                {
                    map[topic] = [.. followers.Where(e => e != entity)];
                }
            }
            foreach (var item in entity.Items.Append(Ect.ComponentItemId(entity.ComponentId)))
            {
                written.Forget(item);
                try
                {
                    await dataspace.DeleteAsync(new DeleteItem(item, By: entity.By));
                }
                catch (DataspaceException)
                {
                    // gone with its session already
                }
            }
        }
    }

    private static string StateType(string platform) => Switches.Contains(platform) ? "boolean" : platform switch
    {
        "number" => "number",
        "select" or "text" => "string",
        _ => "json",
    };

    [LoggerMessage(1, LogLevel.Warning, "Home Assistant discovery on {Topic} not fully mapped: {Reason}", EventName = "HaNotMapped")]
    private static partial void NotMapped(ILogger logger, string topic, string reason);
}
