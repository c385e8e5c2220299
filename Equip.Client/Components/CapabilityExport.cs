namespace Equip.Client.Components;

/// A capability a container exports: how to make its components, and the schema a prototype shows.
internal sealed class CapabilityExport(string name, Func<Component> create)
{
    public string Name => name;

    public IReadOnlyList<ComponentProperty> Schema { get; } = create().Properties;

    public Component Create() => create();
}
