using Equip.Domain.Dataspace;

namespace Equip.Domain.Components;

public sealed class ComponentNotFoundException(string message) : DataspaceException(message);

public sealed class PropertyReadOnlyException(string componentId, string property)
    : DataspaceException($"Property '{property}' of component '{componentId}' is read-only.");
