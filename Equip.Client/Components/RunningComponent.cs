using Equip.Protocol;

namespace Equip.Client.Components;

/// The container's side of a launched component: it publishes the ect.Component item and one
/// ect.Property item per property, and every value the component sets. A component that moves
/// here from another container has the same item ids there: until that container (or the end of
/// its session) has removed them, an add is refused with owned (adds never take items over), and
/// is tried again, with the item as it is then, while the component runs here.
internal sealed class RunningComponent(ComponentContainer container, Component component)
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, PropertyPublication> _properties = new();

    public ComponentContainer Container => container;

    public Component Component => component;

    public Guid ItemId { get; } = Ect.ComponentItemId(component.ComponentId);

    /// Publishes the component with its values now; from then on its sets are published.
    public void Publish()
    {
        lock (component.Gate)
        {
            container.Forget(AddOwnAsync(() => new AddRequest
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
        _ = publication.TrackAsync(UpdatedRevisionAsync(AddOwnAsync(() => new AddRequest
        {
            Id = publication.ItemId,
            Type = Ect.Property,
            Fields = EctFields.Property(component.ComponentId, property),
            ProcessBound = true,
        })));
    }

    /// Publishes a property's value (SetValues); the caller holds the gate. Completes once the
    /// server applied it.
    public Task Publish(ComponentProperty property) => _properties[property.Name].PublishValue();

    /// Publishes a property's whole item again (someone changed more than its value: its name,
    /// type or read-only flag); the caller holds the gate.
    public void Republish(ComponentProperty property)
    {
        var publication = _properties[property.Name];
        _ = publication.TrackAsync(UpdatedRevisionAsync(container.Client.UpdateAsync(new UpdateRequest
        {
            Id = publication.ItemId,
            Fields = EctFields.Property(component.ComponentId, property),
            Unreliable = true,
        })));
    }

    private static async Task<long> UpdatedRevisionAsync(Task<WireItem> update) => (await update).Revision;

    /// Adds the item made by the function (called under the gate at each attempt, so that a retry
    /// carries the values set meanwhile), again while another container holds its id.
    private async Task<WireItem> AddOwnAsync(Func<AddRequest> request)
    {
        for (var wait = FirstRetry; ; wait = Min(wait * 2, LongestRetry))
        {
            AddRequest add;
            lock (component.Gate)
            {
                add = request();
            }
            try
            {
                return await container.Client.AddAsync(add);
            }
            catch (EquipRefusedException refused) when (refused.Code == HubErrors.Owned && container.Runs(this))
            {
                await Task.Delay(wait);
            }
            if (!container.Runs(this))
            {
                throw new OperationCanceledException("The component stopped here before its items were free.");
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// The items to delete once the component stopped: its properties', then its own.
    public IReadOnlyList<Guid> ItemIds()
    {
        lock (component.Gate)
        {
            return [.. _properties.Values.Select(p => p.ItemId), ItemId];
        }
    }
}
