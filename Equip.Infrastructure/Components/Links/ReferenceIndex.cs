using Equip.Protocol;

namespace Equip.Infrastructure.Components.Links;

/// Which links or constants refer to a property, so that a property's change finds them without
/// scanning all of them (the link engine's hot path).
internal sealed class ReferenceIndex
{
    private readonly Dictionary<(string Component, string Property), HashSet<Guid>> _byProperty = new();

    public void Add(Guid id, PropertyReference reference)
    {
        if (Key(reference) is not { } key)
        {
            return;
        }
        if (!_byProperty.TryGetValue(key, out var ids))
        {
            _byProperty[key] = ids = [];
        }
        ids.Add(id);
    }

    public void Remove(Guid id, PropertyReference reference)
    {
        if (Key(reference) is { } key && _byProperty.TryGetValue(key, out var ids) && ids.Remove(id) && ids.Count == 0)
        {
            _byProperty.Remove(key);
        }
    }

    /// The ids referring to the property, as a copy (the caller may change the index meanwhile).
    public IReadOnlyList<Guid> Of((string Component, string Property) property) =>
        _byProperty.TryGetValue(property, out var ids) ? [.. ids] : [];

    private static (string, string)? Key(PropertyReference reference) =>
        reference.ComponentId() is { } component ? (component, reference.Property) : null;
}
