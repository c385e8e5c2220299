using System.Text.Json;
using Equip.Domain.Components;
using Equip.Domain.Dataspace;
using Equip.Protocol;

namespace Equip.Infrastructure.Components;

/// What the REST API asks of the component layer. A property value is set as the value of the
/// property's item (as a link sets it), which its container follows and applies; the value is
/// also kept in the component's request as one of its last values, so that a relaunch starts
/// from it.
public sealed class ComponentCommands(IDataspace dataspace, ItemLimits limits)
{
    private const int ConflictRetries = 5;

    public async Task<PropertyFields> SetPropertyAsync(string componentId, string name, JsonElement value, CancellationToken cancellationToken)
    {
        EctRules.Value(value, limits, "the property's value");
        var component = await FindAsync(Ect.ComponentItemId(componentId), Ect.Component, Fields(("componentId", componentId)), cancellationToken) is { } item
            ? EctJson.Read<ComponentFields>(item.Fields)
            : null;
        if (component is null)
        {
            throw new ComponentNotFoundException($"No running component has id '{componentId}'.");
        }
        var propertyItem = await FindAsync(Ect.PropertyItemId(componentId, name), Ect.Property, Fields(("componentId", componentId), ("name", name)), cancellationToken);
        var property = propertyItem is null ? null : EctJson.Read<PropertyFields>(propertyItem.Fields);
        if (propertyItem is null || property is null)
        {
            throw new ComponentNotFoundException($"Component '{componentId}' has no property '{name}'.");
        }
        if (property.ReadOnly)
        {
            throw new PropertyReadOnlyException(componentId, name);
        }
        if (!EctValues.TryConvert(value, property.Type, out var converted))
        {
            throw new InvalidItemException($"Property '{name}' holds a {property.Type}; {value.GetRawText()} does not convert to one without loss.");
        }
        var outcome = await dataspace.SetValuesAsync(new SetValues([new ValueWrite(propertyItem.Id, converted)]), cancellationToken);
        if (outcome.Refused is [{ Error: var refused }, ..])
        {
            throw refused; // the item went meanwhile
        }
        var set = property with { Value = converted };
        if (component.ComponentRequestId is { } requestId)
        {
            await RememberLastValueAsync(requestId, name, converted, cancellationToken);
        }
        return set;
    }

    public async Task<ItemState> RequestAsync(ComponentRequestFields request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Capability))
        {
            throw new InvalidItemException("A component request needs a capability.");
        }
        EctRules.Name(request.Capability, "capability");
        EctRules.Name(request.ContainerId, "containerId");
        EctRules.Values(request.InitialValues, limits, "initialValues");
        if (request.ContainerId is not null && request.Selector is not null)
        {
            throw new InvalidItemException("A component request names a container or gives a selector, not both.");
        }
        var name = request.Name is null ? await ComponentNames.NextAsync(dataspace, request.Capability, cancellationToken) : ComponentNames.Check(request.Name);
        var fields = request with { LastValues = null, AssignedContainerId = null, Status = "pending", Reason = "not placed yet", ComponentId = null, Name = name };
        return (await dataspace.AddAsync(new AddItem(null, Ect.ComponentRequest, EctJson.Write(fields)), cancellationToken)).Item;
    }

    /// Gives the requested component a new name (what the dashboard and the REST API call it).
    public async Task<ItemState> RenameRequestAsync(Guid id, string? name, CancellationToken cancellationToken)
    {
        var checkedName = ComponentNames.Check(name);
        for (var attempt = 0; ; attempt++)
        {
            var item = await RequestItemAsync(id, cancellationToken);
            var fields = EctJson.Read<ComponentRequestFields>(item.Fields)! with { Name = checkedName };
            try
            {
                return await dataspace.UpdateAsync(new UpdateItem(id, null, EctJson.Write(fields), item.Revision), cancellationToken);
            }
            catch (RevisionMismatchException) when (attempt < ConflictRetries)
            {
                // the launcher or the container changed the request meanwhile: rename what it is now
            }
        }
    }

    /// Deletes the request; its container stops the component.
    public async Task DeleteRequestAsync(Guid id, CancellationToken cancellationToken)
    {
        await RequestItemAsync(id, cancellationToken);
        await dataspace.DeleteAsync(new DeleteItem(id), cancellationToken);
    }

    public async Task<ItemState> RequestItemAsync(Guid id, CancellationToken cancellationToken) =>
        await dataspace.GetAsync(id, cancellationToken) is { Type: Ect.ComponentRequest } item && EctJson.Read<ComponentRequestFields>(item.Fields) is not null
            ? item
            : throw new ItemNotFoundException(id);

    /// The item by the stable id that Ect computes, as Equip.Client's containers publish it, or
    /// else by its fields: a container in another language may choose its items' ids as it likes.
    private async Task<ItemState?> FindAsync(Guid stableId, string type, IReadOnlyDictionary<string, JsonElement> fields, CancellationToken cancellationToken)
    {
        var pattern = new Pattern(type, fields);
        if (await dataspace.GetAsync(stableId, cancellationToken) is { } item && pattern.Matches(item))
        {
            return item;
        }
        return (await dataspace.QueryAsync(pattern, null, 1, cancellationToken)).FirstOrDefault();
    }

    private static Dictionary<string, JsonElement> Fields(params (string Name, string Value)[] fields) =>
        fields.ToDictionary(f => f.Name, f => JsonSerializer.SerializeToElement(f.Value));

    private async Task RememberLastValueAsync(Guid requestId, string name, JsonElement value, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < ConflictRetries; attempt++)
        {
            if (await dataspace.GetAsync(requestId, cancellationToken) is not { } item || EctJson.Read<ComponentRequestFields>(item.Fields) is not { } request)
            {
                return;
            }
            var last = new Dictionary<string, JsonElement>(request.LastValues ?? new Dictionary<string, JsonElement>()) { [name] = value };
            try
            {
                await dataspace.UpdateAsync(new UpdateItem(item.Id, null, EctJson.Write(request with { LastValues = last }), item.Revision), cancellationToken);
                return;
            }
            catch (RevisionMismatchException)
            {
                // The launcher updated the request meanwhile; read it again.
            }
        }
    }
}
