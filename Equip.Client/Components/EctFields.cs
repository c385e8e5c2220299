using System.Buffers;
using System.Text.Json;

namespace Equip.Client.Components;

/// The fields of the items a container publishes, as Equip.Protocol.Ect describes them.
internal static class EctFields
{
    public static JsonElement Container(string containerId, string name, string host, IReadOnlyDictionary<string, string> labels) =>
        Object(json =>
        {
            json.WriteString("containerId", containerId);
            json.WriteString("name", name);
            json.WriteString("host", host);
            json.WriteStartObject("labels");
            foreach (var (key, value) in labels)
            {
                json.WriteString(key, value);
            }
            json.WriteEndObject();
        });

    public static JsonElement Capability(string containerId, CapabilityExport export) =>
        Object(json =>
        {
            json.WriteString("containerId", containerId);
            json.WriteString("capability", export.Name);
            json.WriteStartArray("properties");
            foreach (var property in export.Schema)
            {
                json.WriteStartObject();
                json.WriteString("name", property.Name);
                json.WriteString("type", property.Type);
                json.WriteBoolean("readOnly", property.ReadOnly);
                json.WritePropertyName("default");
                property.JsonValue.WriteTo(json);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });

    public static JsonElement Component(string containerId, Component component) =>
        Object(json =>
        {
            json.WriteString("componentId", component.ComponentId);
            json.WriteString("containerId", containerId);
            json.WriteString("capability", component.Capability);
            if (component.ComponentRequestId is { } request)
            {
                json.WriteString("componentRequestId", request);
            }
            else
            {
                json.WriteNull("componentRequestId");
            }
            json.WriteString("name", component.Capability);
        });

    /// The caller holds the component's gate, so that the value is the one being published.
    public static JsonElement Property(string componentId, ComponentProperty property) =>
        Object(json =>
        {
            json.WriteString("componentId", componentId);
            json.WriteString("name", property.Name);
            json.WriteString("type", property.Type);
            json.WriteBoolean("readOnly", property.ReadOnly);
            json.WritePropertyName("value");
            property.ValueAsJson().WriteTo(json);
        });

    private static JsonElement Object(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
