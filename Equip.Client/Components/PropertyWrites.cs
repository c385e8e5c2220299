using System.Collections.Concurrent;
using System.Text.Json;
using Equip.Protocol;

namespace Equip.Client.Components;

/// The property items a container publishes, and what it does with values others write into
/// them: apply them to the component, or answer with the real item.
internal sealed class PropertyWrites
{
    private readonly ConcurrentDictionary<Guid, PropertyPublication> _publications = new();

    public void Add(PropertyPublication publication) => _publications[publication.ItemId] = publication;

    public void Remove(IEnumerable<Guid> itemIds)
    {
        foreach (var id in itemIds)
        {
            _publications.TryRemove(id, out _);
        }
    }

    /// Looks at the item as a subscription shows it now. Returns the component and its Changed to
    /// raise when a value was applied (raised by the caller, outside the component's gate).
    public (Component Component, Action Changed)? Check(WireItem item)
    {
        if (!_publications.TryGetValue(item.Id, out var publication))
        {
            return null;
        }
        var component = publication.Running.Component;
        Action? changed;
        lock (component.Gate)
        {
            if (component.Running != publication.Running || !publication.MayHoldOthersWrite(item))
            {
                return null;
            }
            var value = item.Fields.ValueKind == JsonValueKind.Object && item.Fields.TryGetProperty("value", out var v) ? v : default;
            var offer = publication.Property.Offer(value, out changed);
            // Only the value is anyone else's to write: a refused value is answered with the
            // property's own, a write that also changed its name, type or read-only flag with the
            // real item.
            if (!HasShapeOf(item.Fields, component.ComponentId, publication.Property))
            {
                publication.Running.Republish(publication.Property);
            }
            else if (offer == PropertyOffer.Refused)
            {
                publication.Running.Publish(publication.Property);
            }
        }
        return changed is null ? null : (component, changed);
    }

    /// Whether the fields name the property as it is: its component, name, type and read-only flag.
    private static bool HasShapeOf(JsonElement fields, string componentId, ComponentProperty property) =>
        fields.ValueKind == JsonValueKind.Object
        && IsString(fields, "componentId", componentId) && IsString(fields, "name", property.Name) && IsString(fields, "type", property.Type)
        && fields.TryGetProperty("readOnly", out var readOnly) && readOnly.ValueKind == (property.ReadOnly ? JsonValueKind.True : JsonValueKind.False);

    private static bool IsString(JsonElement fields, string name, string expected) =>
        fields.TryGetProperty(name, out var member) && member.ValueKind == JsonValueKind.String && member.ValueEquals(expected);
}
