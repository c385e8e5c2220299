using System.Text.Json;
using Equip.Protocol;

namespace Equip.Client.Components;

/// The fields of the items a container publishes: the records of Equip.Protocol filled from the
/// container's components, so that the server and the container read and write one schema.
internal static class EctFields
{
    public static JsonElement Container(string containerId, string name, string host, IReadOnlyDictionary<string, string> labels) =>
        EctJson.Write(new ContainerFields(containerId, name, host, labels));

    public static JsonElement Capability(string containerId, CapabilityExport export) =>
        EctJson.Write(new CapabilityFields(containerId, export.Name,
            export.Schema.Select(p => new PropertySchema(p.Name, p.Type, p.ReadOnly, p.JsonValue)).ToList()));

    public static JsonElement Component(string containerId, Component component) =>
        EctJson.Write(new ComponentFields(component.ComponentId, containerId, component.Capability, component.ComponentRequestId, component.Capability));

    /// The caller holds the component's gate, so that the value is the one being published.
    public static JsonElement Property(string componentId, ComponentProperty property) =>
        EctJson.Write(new PropertyFields(componentId, property.Name, property.Type, property.ReadOnly, property.ValueAsJson()));
}
