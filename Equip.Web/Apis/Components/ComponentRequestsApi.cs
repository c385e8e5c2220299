using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Components;
using Equip.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Equip.Web.Apis.Components;

/// Component requests: persistent wishes that a capability run somewhere; the launcher places
/// them and shows where each stands.
public static class ComponentRequestsApi
{
    public static IEndpointRouteBuilder MapComponentRequestsApi(this IEndpointRouteBuilder app)
    {
        var requests = app.MapGroup("/api/component-requests").WithTags("Component requests");
        requests.MapGet("/", ListRequests);
        requests.MapPost("/", CreateRequest).ProducesProblem(400);
        requests.MapGet("/{id}", GetRequest).ProducesProblem(404);
        requests.MapDelete("/{id}", DeleteRequest).ProducesProblem(404);
        requests.MapPut("/{id}/name", RenameRequest).ProducesProblem(400).ProducesProblem(404);
        return app;
    }

    /// <summary>
    /// The component requests, each with its name, its status (pending, with its reason, or
    /// running) and the container it was assigned to.
    /// </summary>
    public static async Task<Ok<List<ComponentRequestResponse>>> ListRequests(IDataspace dataspace, CancellationToken cancellationToken)
    {
        var view = await InstallationView.ReadAsync(dataspace, cancellationToken);
        return TypedResults.Ok(view.Requests.OrderBy(r => r.Item.CreatedAt).ThenBy(r => r.Item.Id).Select(r => ToResponse(r.Item, r.Fields)).ToList());
    }

    /// <summary>
    /// Requests a component: a capability, on a named container or on any container that exports it
    /// (with selectors), with initial values.
    /// </summary>
    public static async Task<Created<ComponentRequestResponse>> CreateRequest(
        CreateComponentRequest request, ComponentCommands commands, CancellationToken cancellationToken)
    {
        var item = await commands.RequestAsync(new ComponentRequestFields(
            request.Capability ?? "", request.ContainerId, request.Selector, request.InitialValues, null, null, null, null, null) { Name = request.Name }, cancellationToken);
        return TypedResults.Created($"/api/component-requests/{item.Id}", ToResponse(item, EctJson.Read<ComponentRequestFields>(item.Fields)!));
    }

    /// <summary>
    /// One component request and its status.
    /// </summary>
    /// <param name="id">The request's id.</param>
    public static async Task<Ok<ComponentRequestResponse>> GetRequest(Guid id, ComponentCommands commands, CancellationToken cancellationToken)
    {
        var item = await commands.RequestItemAsync(id, cancellationToken);
        return TypedResults.Ok(ToResponse(item, EctJson.Read<ComponentRequestFields>(item.Fields)!));
    }

    /// <summary>
    /// Deletes the request; its container stops the component.
    /// </summary>
    /// <param name="id">The request's id.</param>
    public static async Task<NoContent> DeleteRequest(Guid id, ComponentCommands commands, CancellationToken cancellationToken)
    {
        await commands.DeleteRequestAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Renames the requested component: what the dashboard and this API call it.
    /// </summary>
    /// <param name="id">The request's id.</param>
    public static async Task<Ok<ComponentRequestResponse>> RenameRequest(Guid id, RenameRequest request, ComponentCommands commands, CancellationToken cancellationToken)
    {
        var item = await commands.RenameRequestAsync(id, request.Name, cancellationToken);
        return TypedResults.Ok(ToResponse(item, EctJson.Read<ComponentRequestFields>(item.Fields)!));
    }

    private static ComponentRequestResponse ToResponse(ItemState item, ComponentRequestFields fields) => new(
        item.Id,
        fields.Name,
        fields.Capability,
        fields.ContainerId,
        fields.Selector,
        fields.InitialValues ?? new Dictionary<string, JsonElement>(),
        fields.LastValues ?? new Dictionary<string, JsonElement>(),
        fields.Status ?? "pending",
        fields.Reason,
        fields.AssignedContainerId,
        fields.ComponentId,
        item.Revision);
}
