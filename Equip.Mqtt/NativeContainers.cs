using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Observability;
using Equip.Protocol;
using Microsoft.Extensions.Logging;

namespace Equip.Mqtt;

/// Equip-native MQTT containers (docs/mqtt.md, Firmware of your own): under `equip/<container>/`,
/// published by the client whose id is the container id, `$capabilities/<capability>` declares a
/// capability, `<component>/$component` a running component (a component level that is a GUID is
/// the component of that request), `<component>/<property>` a property's value; a value written into
/// a writable property from outside is published to `<component>/<property>/set`. The items are the
/// client's, bound to its session. Requests reach the container through NativeRequests.
internal sealed partial class NativeContainers(IDataspace dataspace, WrittenValues written, BrokerOutbox outbox, ILogger<NativeContainers> logger)
{
    public const string Prefix = "equip/";
    private readonly ConcurrentDictionary<Guid, string> _types = new();

    public static bool Handles(string topic) => topic.StartsWith(Prefix, StringComparison.Ordinal);

    /// The topic of a component's level: `equip/<container>/<component>`.
    public static string ComponentTopic(string containerId, string level) => $"{Prefix}{containerId}/{level}";

    /// The component id a component level names: a request's id, or the container's own name.
    public static string ComponentIdOf(string containerId, string level) =>
        Guid.TryParse(level, out var request) ? Ect.ComponentIdForRequest(request) : Ect.ComponentIdForLocal(containerId, level);

    public async Task PublishedAsync(string topic, ReadOnlySequence<byte> payload, PeerActor by)
    {
        var levels = topic.Split('/');
        if (levels.Length < 4 || levels[1] != by.PeerId)
        {
            return; // delivered, not mapped: only a container's own client describes it
        }
        var container = levels[1];
        try
        {
            switch (levels[2..])
            {
                case ["$capabilities", var capability] when capability.Length > 0:
                    await CapabilityAsync(container, capability, payload, by);
                    break;
                case [var level, "$component"] when IsName(level):
                    await ComponentAsync(container, level, payload, by);
                    break;
                case [var level, var property] when IsName(level) && IsName(property):
                    await ValueAsync(topic, Ect.PropertyItemId(ComponentIdOf(container, level), property), payload, by);
                    break;
            }
        }
        catch (DataspaceException refused)
        {
            NotMapped(topic, refused.Message);
        }
    }

    private static bool IsName(string level) => level.Length > 0 && !level.StartsWith('$');

    private async Task CapabilityAsync(string container, string capability, ReadOnlySequence<byte> payload, PeerActor by)
    {
        var itemId = Ect.CapabilityItemId(container, capability);
        if (payload.IsEmpty)
        {
            await DeleteAsync(itemId, by);
            return;
        }
        if (TopicPayloads.ToValue(payload) is not { ValueKind: JsonValueKind.Object } declared
            || JsonNode.Parse(declared.GetRawText()) is not JsonObject fields)
        {
            NotMapped($"{Prefix}{container}/$capabilities/{capability}", "a capability is a JSON object with \"properties\"");
            return;
        }
        fields["containerId"] = container;
        fields["capability"] = capability;
        fields["topic"] = $"{Prefix}{container}/$capabilities/{capability}"; // tells NativeRequests it is one of these
        var element = JsonSerializer.SerializeToElement(fields);
        if (EctJson.Read<CapabilityFields>(element) is not { } read || read.Properties?.Any(p => !Ect.ValueTypes.Contains(p.Type)) == true)
        {
            NotMapped($"{Prefix}{container}/$capabilities/{capability}", "each property needs a name, a type (string, number, integer, boolean, json) and readOnly");
            return;
        }
        await dataspace.AddAsync(new AddItem(itemId, Ect.Capability, element, container, ProcessBound: true, By: by));
    }

    private async Task ComponentAsync(string container, string level, ReadOnlySequence<byte> payload, PeerActor by)
    {
        var topic = ComponentTopic(container, level);
        var componentId = ComponentIdOf(container, level);
        if (payload.IsEmpty)
        {
            foreach (var property in await PropertiesOfAsync(componentId, container))
            {
                await DeleteAsync(property.Id, by);
            }
            await DeleteAsync(Ect.ComponentItemId(componentId), by);
            return;
        }
        var declared = TopicPayloads.ToValue(payload);
        var capability = declared.ValueKind == JsonValueKind.Object && declared.TryGetProperty("capability", out var named) && named.ValueKind == JsonValueKind.String
            ? named.GetString()!
            : null;
        var schema = capability is null ? null : await dataspace.GetAsync(Ect.CapabilityItemId(container, capability)) is { } item ? EctJson.Read<CapabilityFields>(item.Fields) : null;
        if (schema is null)
        {
            NotMapped(topic + "/$component", "a component names a capability its container declared: {\"capability\": \"...\"}");
            return;
        }
        Guid? request = Guid.TryParse(level, out var requestId) ? requestId : null;
        var values = await StartValuesAsync(schema, request, declared);
        var name = declared.TryGetProperty("name", out var given) && given.ValueKind == JsonValueKind.String ? given.GetString() : level;
        var component = (JsonObject)JsonSerializer.SerializeToNode(new ComponentFields(componentId, container, schema.Capability, request, name))!;
        component["topic"] = topic;
        await dataspace.AddAsync(new AddItem(Ect.ComponentItemId(componentId), Ect.Component, JsonSerializer.SerializeToElement(component), container, ProcessBound: true, By: by));
        foreach (var property in schema.Properties ?? [])
        {
            var fields = new PropertyFields(componentId, property.Name, property.Type, property.ReadOnly, values.GetValueOrDefault(property.Name, JsonValues.Null));
            var itemId = Ect.PropertyItemId(componentId, property.Name);
            Watch(topic, itemId, fields, container);
            await dataspace.AddAsync(new AddItem(itemId, Ect.Property, EctJson.Write(fields), container, ProcessBound: true, By: by));
        }
    }

    /// A component's first values: its capability's defaults, then the request's initial and last
    /// values, then the values its `$component` message gives (each converted to its property's type).
    private async Task<Dictionary<string, JsonElement>> StartValuesAsync(CapabilityFields schema, Guid? request, JsonElement declared)
    {
        var fields = request is { } id && await dataspace.GetAsync(id) is { } item ? EctJson.Read<ComponentRequestFields>(item.Fields) : null;
        var given = declared.TryGetProperty("values", out var v) && v.ValueKind == JsonValueKind.Object
            ? v.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone())
            : null;
        var values = new Dictionary<string, JsonElement>();
        foreach (var property in schema.Properties ?? [])
        {
            if (property.Default is { } fallback && EctValues.TryConvert(fallback, property.Type, out var start))
            {
                values[property.Name] = start;
            }
            foreach (var layer in new[] { fields?.InitialValues, fields?.LastValues, given })
            {
                if (layer is not null && layer.TryGetValue(property.Name, out var candidate) && EctValues.TryConvert(candidate, property.Type, out var converted))
                {
                    values[property.Name] = converted;
                }
            }
        }
        return values;
    }

    private async Task ValueAsync(string topic, Guid itemId, ReadOnlySequence<byte> payload, PeerActor by)
    {
        if (!_types.TryGetValue(itemId, out var type))
        {
            if (await dataspace.GetAsync(itemId) is not { } item || EctJson.Read<PropertyFields>(item.Fields) is not { } fields)
            {
                NotMapped(topic, "no such property: publish its component's $component first");
                return;
            }
            _types[itemId] = type = fields.Type;
        }
        if (!EctValues.TryConvert(TopicPayloads.ToValue(payload), type, out var value))
        {
            NotMapped(topic, $"the payload is not a value of type {type}");
            return;
        }
        await dataspace.EnqueueValuesAsync(new SetValues([new ValueWrite(itemId, value)], by));
    }

    /// A value written into a writable property by anyone but its container goes to its /set topic.
    private void Watch(string componentTopic, Guid itemId, PropertyFields property, string container)
    {
        _types[itemId] = property.Type;
        if (property.ReadOnly)
        {
            written.Forget(itemId);
            return;
        }
        var set = $"{componentTopic}/{property.Name}/set";
        written.Watch(itemId, container, value => outbox.Publish(set, TopicPayloads.ToPayload(value)), () => _types.TryRemove(itemId, out _));
    }

    private async Task<IReadOnlyList<ItemState>> PropertiesOfAsync(string componentId, string container) =>
        (await dataspace.SnapshotAsync(new Pattern(Ect.Property,
            new Dictionary<string, JsonElement> { ["componentId"] = JsonSerializer.SerializeToElement(componentId) }, container))).Items;

    private async Task DeleteAsync(Guid item, PeerActor by)
    {
        written.Forget(item);
        _types.TryRemove(item, out _);
        try
        {
            await dataspace.DeleteAsync(new DeleteItem(item, By: by));
        }
        catch (ItemNotFoundException)
        {
            // never made, or gone with its session already
        }
    }

    private void NotMapped(string topic, string reason)
    {
        if (ThrottledWarning.ShouldLog("mqtt:native:" + topic))
        {
            NotMappedLog(logger, topic, reason);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "MQTT message on {Topic} not mapped: {Reason}", EventName = "NativeNotMapped")]
    private static partial void NotMappedLog(ILogger logger, string topic, string reason);
}
