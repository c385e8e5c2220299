using Equip.Protocol;

namespace Equip.Client.Components;

/// The container's side of a launched component: it publishes the ect.Component item and one
/// ect.Property item per property, and every value the component sets.
internal sealed class RunningComponent(ComponentContainer container, Component component)
{
    private readonly Dictionary<string, PropertyPublication> _properties = new();

    public ComponentContainer Container => container;

    public Component Component => component;

    public Guid ItemId { get; } = Ect.ComponentItemId(component.ComponentId);

    /// Publishes the component with its values now; from then on its sets are published.
    public void Publish()
    {
        lock (component.Gate)
        {
            container.Forget(container.Client.AddAsync(new AddRequest
            {
                Id = ItemId,
                Type = Ect.Component,
                Fields = EctFields.Component(container.ContainerId, component),
                ProcessBound = true,
            }));
            component.Attach(this);
            foreach (var property in component.Properties)
            {
                PublishNew(property);
            }
        }
    }

    /// Publishes a property's item; the caller holds the gate.
    public void PublishNew(ComponentProperty property)
    {
        var publication = new PropertyPublication(this, property);
        _properties[property.Name] = publication;
        container.Register(publication);
        _ = publication.TrackAsync(container.Client.AddAsync(new AddRequest
        {
            Id = publication.ItemId,
            Type = Ect.Property,
            Fields = EctFields.Property(component.ComponentId, property),
            ProcessBound = true,
        }));
    }

    /// Publishes a property's value now (the whole item, as fields replace); the caller holds the gate.
    public void Publish(ComponentProperty property)
    {
        var publication = _properties[property.Name];
        _ = publication.TrackAsync(container.Client.UpdateAsync(new UpdateRequest
        {
            Id = publication.ItemId,
            Fields = EctFields.Property(component.ComponentId, property),
            Unreliable = true,
        }));
    }

    /// The items to delete once the component stopped: its properties', then its own.
    public IReadOnlyList<Guid> ItemIds()
    {
        lock (component.Gate)
        {
            return [.. _properties.Values.Select(p => p.ItemId), ItemId];
        }
    }
}
