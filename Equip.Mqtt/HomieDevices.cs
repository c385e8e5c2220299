using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Protocol;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Equip.Mqtt;

/// Homie devices as containers (docs/mqtt.md, Homie): Homie 5's `homie/5/<device>/$description`
/// (or Homie 4's attributes under `homie/<device>/`, once its `$state` is ready) makes the device a
/// container, each node a component (`<device>/<node>`), each node property a property with its
/// type; `<root>/<node>/<property>` is the property's value; a value written into a settable
/// property from outside is published to `.../<property>/set`. The items are published by the
/// client that published the description, bound to its session.
internal sealed partial class HomieDevices(IDataspace dataspace, WrittenValues written, BrokerOutbox outbox, ILogger<HomieDevices> logger)
{
    public const string Prefix = "homie/";
    private readonly ConcurrentDictionary<string, HomieDevice> _devices = new();

    public static bool Handles(string topic) => topic.StartsWith(Prefix, StringComparison.Ordinal);

    /// Whether a client has published on the device's topics (`homie/5/<id>` or `homie/<id>`)
    /// since the broker started.
    public bool Seen(string root) => _devices.ContainsKey(root);

    public async Task PublishedAsync(string topic, ReadOnlySequence<byte> payload, PeerActor by)
    {
        var levels = topic.Split('/');
        var v5 = levels is [_, "5", _, ..];
        var at = v5 ? 2 : 1;
        if (levels.Length <= at + 1 || levels[at].Length == 0 || levels[at].StartsWith('$'))
        {
            return;
        }
        var id = levels[at];
        var root = string.Join('/', levels[..(at + 1)]);
        var rest = levels[(at + 1)..];
        try
        {
            switch (rest)
            {
                case ["$description"] when v5:
                    await DescribeAsync(root, id, payload, by);
                    break;
                case ["$state"]:
                    await StateAsync(root, id, payload, by);
                    break;
                case [var node, var property] when !node.StartsWith('$') && !property.StartsWith('$'):
                    await ValueAsync(root, id, node, property, payload, by);
                    break;
                case [.., var attribute] when !v5 && attribute.StartsWith('$'):
                    await AttributeAsync(root, id, string.Join('/', rest), payload, by);
                    break;
            }
        }
        catch (DataspaceException refused)
        {
            NotMapped(logger, topic, refused.Message);
        }
    }

    /// A Homie 4 attribute; once the device is ready, a change of its structure describes it again.
    private async Task AttributeAsync(string root, string id, string attribute, ReadOnlySequence<byte> payload, PeerActor by)
    {
        var device = _devices.GetOrAdd(root, _ => new HomieDevice(id, root));
        device.Attributes[attribute] = Encoding.UTF8.GetString(payload.ToArray());
        if (device.State == "ready" && attribute != "$homie")
        {
            await DescribedAsync(device, device.Homie4Description(), by);
        }
    }

    private async Task DescribeAsync(string root, string id, ReadOnlySequence<byte> payload, PeerActor by)
    {
        if (payload.IsEmpty)
        {
            await RemoveAsync(root);
            return;
        }
        if (HomieDescription.Parse(TopicPayloads.ToValue(payload)) is not { } description)
        {
            NotMapped(logger, $"{root}/$description", "not a Homie 5 description (a JSON object with nodes)");
            return;
        }
        await DescribedAsync(_devices.GetOrAdd(root, _ => new HomieDevice(id, root)), description, by);
    }

    private async Task DescribedAsync(HomieDevice device, HomieDescription description, PeerActor by)
    {
        var id = device.Id;
        device.By = by;
        device.Description = description;
        var made = new HashSet<Guid> { Ect.ContainerItemId(id) };
        await AddContainerAsync(device);
        foreach (var (nodeId, node) in description.Nodes ?? [])
        {
            var componentId = Ect.ComponentIdForLocal(id, nodeId);
            var component = new ComponentFields(componentId, id, node.Type ?? "homie.Node", null, node.Name ?? nodeId);
            made.Add(await AddAsync(device, Ect.ComponentItemId(componentId), Ect.Component, EctJson.Write(component)));
            foreach (var (propertyId, property) in node.Properties ?? [])
            {
                var value = device.Payloads.TryGetValue((nodeId, propertyId), out var payloadSeen) && HomieDevice.Convert(payloadSeen, property.Datatype) is { } converted ? converted : JsonValues.Null;
                var fields = (JsonObject)JsonSerializer.SerializeToNode(new PropertyFields(componentId, propertyId, HomieDescription.TypeOf(property.Datatype),
                    !property.Settable, value))!;
                fields["title"] = property.Name;
                fields["unit"] = property.Unit;
                fields["format"] = property.Format;
                fields["datatype"] = property.Datatype;
                var itemId = Ect.PropertyItemId(componentId, propertyId);
                if (property.Settable)
                {
                    // A value written into it by anyone but the device goes to its /set topic.
                    var set = $"{device.Root}/{nodeId}/{propertyId}/set";
                    written.Watch(itemId, by.PeerId, value => outbox.Publish(set, TopicPayloads.ToPayload(value)));
                }
                else
                {
                    written.Forget(itemId);
                }
                made.Add(await AddAsync(device, itemId, Ect.Property, JsonSerializer.SerializeToElement(fields)));
            }
        }
        foreach (var gone in device.Items.Except(made).ToList())
        {
            await DeleteAsync(gone, by);
        }
        device.Items = made;
    }

    private Task AddContainerAsync(HomieDevice device)
    {
        var fields = (JsonObject)JsonSerializer.SerializeToNode(new ContainerFields(device.Id, device.Description?.Name ?? device.Id, null,
            new Dictionary<string, string> { ["protocol"] = "homie" }))!;
        fields["state"] = device.State;
        return AddAsync(device, Ect.ContainerItemId(device.Id), Ect.Container, JsonSerializer.SerializeToElement(fields));
    }

    private async Task<Guid> AddAsync(HomieDevice device, Guid id, string type, JsonElement fields)
    {
        await dataspace.AddAsync(new AddItem(id, type, fields, device.By!.PeerId, ProcessBound: true, By: device.By));
        return id;
    }

    private async Task StateAsync(string root, string id, ReadOnlySequence<byte> payload, PeerActor by)
    {
        if (payload.IsEmpty)
        {
            await RemoveAsync(root);
            return;
        }
        var device = _devices.GetOrAdd(root, _ => new HomieDevice(id, root));
        var was = device.State;
        device.State = Encoding.UTF8.GetString(payload.ToArray());
        if (device.IsHomie4 && device.State == "ready" && was != "ready")
        {
            await DescribedAsync(device, device.Homie4Description(), by); // Homie 4: the attributes are complete now
        }
        else if (device.Description is not null)
        {
            device.By = by;
            await AddContainerAsync(device);
        }
    }

    private async Task ValueAsync(string root, string id, string node, string property, ReadOnlySequence<byte> payload, PeerActor by)
    {
        var device = _devices.GetOrAdd(root, _ => new HomieDevice(id, root));
        var bytes = payload.ToArray();
        device.Payloads[(node, property)] = bytes; // the latest, for a description still to come
        var itemId = Ect.PropertyItemId(Ect.ComponentIdForLocal(id, node), property);
        if (!device.Items.Contains(itemId))
        {
            return;
        }
        var datatype = device.Description?.Nodes?.GetValueOrDefault(node)?.Properties?.GetValueOrDefault(property)?.Datatype;
        if (HomieDevice.Convert(bytes, datatype) is not { } value)
        {
            NotMapped(logger, $"{root}/{node}/{property}", $"the payload is not a Homie {datatype}");
            return;
        }
        await dataspace.EnqueueValuesAsync(new SetValues([new ValueWrite(itemId, value)], by));
    }

    /// An empty `$description` or `$state`: the device is gone, and its items with it.
    private async Task RemoveAsync(string root)
    {
        if (_devices.TryRemove(root, out var device) && device.By is { } by)
        {
            foreach (var item in device.Items)
            {
                await DeleteAsync(item, by);
            }
        }
    }

    private async Task DeleteAsync(Guid item, PeerActor by)
    {
        written.Forget(item);
        try
        {
            await dataspace.DeleteAsync(new DeleteItem(item, By: by));
        }
        catch (ItemNotFoundException)
        {
            // gone with its session already
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "MQTT message on {Topic} not mapped: {Reason}", EventName = "HomieNotMapped")]
    private static partial void NotMapped(ILogger logger, string topic, string reason);
}
