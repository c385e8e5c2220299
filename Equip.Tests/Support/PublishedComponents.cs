using System.Text.Json;
using Equip.Client;
using Equip.Protocol;

namespace Equip.Tests.Support;

/// Plays a container's part by publishing its items directly through an Equip.Client peer, for
/// tests of the server's side of the component layer.
public static class PublishedComponents
{
    public static JsonElement Json<T>(T value) => JsonSerializer.SerializeToElement(value);

    public static async Task PublishContainerAsync(EquipClient device, string containerId, IReadOnlyDictionary<string, string>? labels, string capability, params PropertySchema[] schema)
    {
        await device.AddAsync(new AddRequest
        {
            Id = Ect.ContainerItemId(containerId), Type = Ect.Container, ProcessBound = true,
            Fields = EctJson.Write(new ContainerFields(containerId, containerId, "host-" + containerId, labels)),
        });
        await device.AddAsync(new AddRequest
        {
            Id = Ect.CapabilityItemId(containerId, capability), Type = Ect.Capability, ProcessBound = true,
            Fields = EctJson.Write(new CapabilityFields(containerId, capability, schema)),
        });
    }

    /// Publishes a running component for the request, with the given properties and values.
    public static async Task PublishComponentAsync(EquipClient device, string containerId, Guid requestId, string capability, params (PropertySchema Schema, object Value)[] properties)
    {
        var componentId = Ect.ComponentIdForRequest(requestId);
        await device.AddAsync(new AddRequest
        {
            Id = Ect.ComponentItemId(componentId), Type = Ect.Component, ProcessBound = true,
            Fields = EctJson.Write(new ComponentFields(componentId, containerId, capability, requestId, capability)),
        });
        foreach (var (schema, value) in properties)
        {
            await device.AddAsync(new AddRequest
            {
                Id = Ect.PropertyItemId(componentId, schema.Name), Type = Ect.Property, ProcessBound = true,
                Fields = EctJson.Write(new PropertyFields(componentId, schema.Name, schema.Type, schema.ReadOnly, Json(value))),
            });
        }
    }

    public static Task RemoveComponentAsync(EquipClient device, Guid requestId, params string[] properties)
    {
        var componentId = Ect.ComponentIdForRequest(requestId);
        return Task.WhenAll(properties.Select(p => device.DeleteAsync(Ect.PropertyItemId(componentId, p)))
            .Append(device.DeleteAsync(Ect.ComponentItemId(componentId))));
    }
}
