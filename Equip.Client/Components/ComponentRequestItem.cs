using System.Text.Json;
using Equip.Protocol;

namespace Equip.Client.Components;

/// What a container reads of an ect.ComponentRequest item assigned to it.
internal sealed record ComponentRequestItem(Guid Id, long Revision, string? Capability, JsonElement InitialValues, JsonElement LastValues)
{
    public string ComponentId => Ect.ComponentIdForRequest(Id);

    public static ComponentRequestItem From(WireItem item) => new(
        item.Id,
        item.Revision,
        Field(item, "capability") is { ValueKind: JsonValueKind.String } capability ? capability.GetString() : null,
        Field(item, "initialValues"),
        Field(item, "lastValues"));

    /// Defaults, then initial values, then last values: each value that names a property and
    /// converts to its type replaces the one before.
    public void Initialise(Component component)
    {
        foreach (var values in new[] { InitialValues, LastValues }.Where(v => v.ValueKind == JsonValueKind.Object))
        {
            foreach (var value in values.EnumerateObject())
            {
                component.Find(value.Name)?.TryInitialise(value.Value);
            }
        }
    }

    private static JsonElement Field(WireItem item, string name) =>
        item.Fields.ValueKind == JsonValueKind.Object && item.Fields.TryGetProperty(name, out var value) ? value : default;
}
