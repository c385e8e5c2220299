using Equip.Domain.Dataspace;
using Equip.Infrastructure.Components;
using Equip.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Equip.Web.Apis.Components;

/// Containers, capabilities and running components, as their containers publish them.
public static class ComponentsApi
{
    public static IEndpointRouteBuilder MapComponentsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/containers", ListContainers).WithTags("Components");
        app.MapGet("/api/capabilities", ListCapabilities).WithTags("Components");
        var components = app.MapGroup("/api/components").WithTags("Components");
        components.MapGet("/", ListComponents);
        components.MapGet("/{id}", GetComponent).ProducesProblem(404);
        components.MapPut("/{id}/properties/{name}", SetProperty).ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        return app;
    }

    /// <summary>
    /// The containers that have published themselves: their host, labels and the capabilities they
    /// export.
    /// </summary>
    public static async Task<Ok<List<ContainerResponse>>> ListContainers(IDataspace dataspace, CancellationToken cancellationToken)
    {
        var view = await InstallationView.ReadAsync(dataspace, cancellationToken);
        return TypedResults.Ok(view.Containers.Select(c => new ContainerResponse(
            c.Fields.ContainerId, c.Fields.Name, c.Fields.Host, c.Fields.Labels ?? new Dictionary<string, string>(),
            c.Capabilities.Select(k => k.Capability).Order(StringComparer.Ordinal).ToList())).ToList());
    }

    /// <summary>
    /// The capabilities the containers export, each with its property schema and the containers
    /// that offer it.
    /// </summary>
    public static async Task<Ok<List<CapabilityResponse>>> ListCapabilities(IDataspace dataspace, CancellationToken cancellationToken)
    {
        var view = await InstallationView.ReadAsync(dataspace, cancellationToken);
        return TypedResults.Ok(view.Containers
            .SelectMany(c => c.Capabilities)
            .Select(k => new CapabilityResponse(k.ContainerId, k.Capability, k.Properties ?? []))
            .OrderBy(k => k.ContainerId, StringComparer.Ordinal).ThenBy(k => k.Capability, StringComparer.Ordinal)
            .ToList());
    }

    /// <summary>
    /// The running components, each with its properties and their live values.
    /// </summary>
    public static async Task<Ok<List<ComponentResponse>>> ListComponents(IDataspace dataspace, CancellationToken cancellationToken)
    {
        var view = await InstallationView.ReadAsync(dataspace, cancellationToken);
        return TypedResults.Ok(view.Components.Select(ToResponse).ToList());
    }

    /// <summary>
    /// One component with its properties and their live values.
    /// </summary>
    /// <param name="id">The component's id (a component request's id, or mqtt/TOPIC for an MQTT topic).</param>
    public static async Task<Ok<ComponentResponse>> GetComponent(string id, IDataspace dataspace, CancellationToken cancellationToken)
    {
        id = ComponentIdOf(id);
        var view = await InstallationView.ReadAsync(dataspace, cancellationToken);
        var component = view.Components.FirstOrDefault(c => c.Fields.ComponentId == id)
            ?? throw new Domain.Components.ComponentNotFoundException($"No running component has id '{id}'.");
        return TypedResults.Ok(ToResponse(component));
    }

    /// <summary>
    /// Sets a property's value: the component's container applies it. 404 for an unknown component
    /// or property, 409 for a read-only property, 400 for a value that does not convert to the
    /// property's type without loss.
    /// </summary>
    /// <param name="id">The component's id.</param>
    /// <param name="name">The property's name.</param>
    public static async Task<Ok<PropertyResponse>> SetProperty(
        string id, string name, SetPropertyRequest request, ComponentCommands commands, CancellationToken cancellationToken)
    {
        var value = request.Value ?? throw new InvalidItemException("Give the new value as {\"value\": ...}.");
        var set = await commands.SetPropertyAsync(ComponentIdOf(id), name, value, cancellationToken);
        return TypedResults.Ok(new PropertyResponse(set.Name, set.Type, set.Value, set.ReadOnly));
    }

    /// A component a container made on its own has the id containerId/name; in a path its slash
    /// travels encoded (%2F), which routing leaves encoded.
    private static string ComponentIdOf(string routed) => Uri.UnescapeDataString(routed);

    private static ComponentResponse ToResponse(ComponentView component) => new(
        component.Fields.ComponentId,
        component.Fields.ContainerId,
        component.Fields.Capability,
        component.Fields.ComponentRequestId,
        component.Fields.Name,
        component.Properties.Select(p => new PropertyResponse(p.Name, p.Type, p.Value, p.ReadOnly)).ToList());
}
