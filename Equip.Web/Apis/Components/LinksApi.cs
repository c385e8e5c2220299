using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Components;
using Equip.Infrastructure.Components.Links;
using Equip.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Equip.Web.Apis.Components;

/// <summary>Body of POST /api/links.</summary>
/// <param name="Source" example="{&quot;componentRequestId&quot;:&quot;0198c2d5-6a3e-7c11-9a52-3f0e8e2b7a10&quot;,&quot;property&quot;:&quot;value&quot;}">The property whose values the link carries.</param>
/// <param name="Destination" example="{&quot;componentRequestId&quot;:&quot;0198c2d5-6a3f-7d22-8b63-4a1f9f3c8b21&quot;,&quot;property&quot;:&quot;text&quot;}">The property it sets; a component not made by a request is {"containerId","component","property"}.</param>
public sealed record CreateLinkRequest(PropertyReference? Source, PropertyReference? Destination);

/// A link with its status (active, sourceMissing, destinationOffline, typeMismatch) and the age of
/// the last value it carried.
public sealed record LinkResponse(Guid Id, PropertyReference Source, PropertyReference Destination, string Status, DateTimeOffset? LastValueAt, double? LastValueAgeSeconds);

/// <summary>Body of POST /api/constants.</summary>
/// <param name="Destination" example="{&quot;componentRequestId&quot;:&quot;0198c2d5-6a3f-7d22-8b63-4a1f9f3c8b21&quot;,&quot;property&quot;:&quot;text&quot;}">The property the value is kept on.</param>
/// <param name="Value" example="&quot;hello&quot;">The value, applied whenever the destination (re)appears.</param>
public sealed record CreateConstantRequest(PropertyReference? Destination, JsonElement? Value);

public sealed record ConstantResponse(Guid Id, PropertyReference Destination, JsonElement Value);

/// Property links and constants. A link carries its source property's value to its destination
/// (several links into one property: the last write wins); a constant is applied to its
/// destination whenever that (re)appears.
public static class LinksApi
{
    public static IEndpointRouteBuilder MapLinksApi(this IEndpointRouteBuilder app)
    {
        var links = app.MapGroup("/api/links").WithTags("Links");
        links.MapGet("/", ListLinks);
        links.MapPost("/", CreateLink).ProducesProblem(400).ProducesProblem(409);
        links.MapGet("/{id}", GetLink).ProducesProblem(404);
        links.MapDelete("/{id}", DeleteLink).ProducesProblem(404);
        var constants = app.MapGroup("/api/constants").WithTags("Links");
        constants.MapGet("/", ListConstants);
        constants.MapPost("/", CreateConstant).ProducesProblem(400).ProducesProblem(409);
        constants.MapDelete("/{id}", DeleteConstant).ProducesProblem(404);
        return app;
    }

    /// <summary>
    /// The links, each with its status (active, sourceMissing, destinationOffline, typeMismatch),
    /// and when it last carried a value.
    /// </summary>
    public static async Task<Ok<List<LinkResponse>>> ListLinks(IDataspace dataspace, LinkStatuses engine, TimeProvider time, CancellationToken cancellationToken)
    {
        var items = await dataspace.SnapshotAsync(new Pattern(Ect.Link), cancellationToken);
        return TypedResults.Ok(items.Items.Select(i => ToLink(i, engine, time)).OfType<LinkResponse>().ToList());
    }

    /// <summary>
    /// Links a source property to a destination property: every value of the source is carried to
    /// the destination, converted to its type.
    /// </summary>
    public static async Task<Created<LinkResponse>> CreateLink(CreateLinkRequest request, LinkCommands links, LinkStatuses engine, TimeProvider time, CancellationToken cancellationToken)
    {
        var item = await links.LinkAsync(new LinkFields(request.Source!, request.Destination!), cancellationToken);
        return TypedResults.Created($"/api/links/{item.Id}", ToLink(item, engine, time)!);
    }

    /// <summary>
    /// One link and its status.
    /// </summary>
    /// <param name="id">The link's id.</param>
    public static async Task<Ok<LinkResponse>> GetLink(Guid id, LinkCommands links, LinkStatuses engine, TimeProvider time, CancellationToken cancellationToken) =>
        TypedResults.Ok(ToLink(await links.ItemOfTypeAsync(id, Ect.Link, cancellationToken), engine, time)!);

    /// <summary>
    /// Deletes a link.
    /// </summary>
    /// <param name="id">The link's id.</param>
    public static async Task<NoContent> DeleteLink(Guid id, LinkCommands links, CancellationToken cancellationToken)
    {
        await links.DeleteLinkAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The constants: values kept on destination properties.
    /// </summary>
    public static async Task<Ok<List<ConstantResponse>>> ListConstants(IDataspace dataspace, CancellationToken cancellationToken)
    {
        var items = await dataspace.SnapshotAsync(new Pattern(Ect.Constant), cancellationToken);
        return TypedResults.Ok(items.Items.Select(ToConstant).OfType<ConstantResponse>().ToList());
    }

    /// <summary>
    /// Keeps a value on a destination property: applied now, and again whenever the destination (re)appears.
    /// </summary>
    public static async Task<Created<ConstantResponse>> CreateConstant(CreateConstantRequest request, LinkCommands links, CancellationToken cancellationToken)
    {
        var value = request.Value ?? throw new InvalidItemException("A constant needs a value.");
        var item = await links.ConstantAsync(new ConstantFields(request.Destination!, value), cancellationToken);
        return TypedResults.Created($"/api/constants/{item.Id}", ToConstant(item)!);
    }

    /// <summary>
    /// Deletes a constant.
    /// </summary>
    /// <param name="id">The constant's id.</param>
    public static async Task<NoContent> DeleteConstant(Guid id, LinkCommands links, CancellationToken cancellationToken)
    {
        await links.DeleteConstantAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static LinkResponse? ToLink(ItemState item, LinkStatuses engine, TimeProvider time)
    {
        if (EctJson.Read<LinkFields>(item.Fields) is not { } link)
        {
            return null;
        }
        var status = engine.StatusOf(item.Id);
        var age = status.LastValueAt is { } at ? (time.GetUtcNow() - at).TotalSeconds : (double?)null;
        return new LinkResponse(item.Id, link.Source, link.Destination, status.Status, status.LastValueAt, age);
    }

    private static ConstantResponse? ToConstant(ItemState item) =>
        EctJson.Read<ConstantFields>(item.Fields) is { } constant ? new ConstantResponse(item.Id, constant.Destination, constant.Value) : null;
}
