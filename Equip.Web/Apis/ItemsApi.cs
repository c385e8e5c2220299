using System.Text.Json;
using Equip.Domain.Dataspace;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Equip.Web.Apis;

public static class ItemsApi
{
    private const string FieldPrefix = "field.";

    public static IEndpointRouteBuilder MapItemsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/items").WithTags("Items");
        api.MapPost("/", AddItem).ProducesProblem(400).ProducesProblem(413).ProducesProblem(415);
        api.MapGet("/", QueryItems).ProducesProblem(400);
        api.MapGet("/{id}", GetItem).ProducesProblem(404);
        api.MapPut("/{id}", UpdateItem).ProducesProblem(400).ProducesProblem(404).ProducesProblem(412);
        api.MapDelete("/{id}", DeleteItem).ProducesProblem(404).ProducesProblem(412);
        api.MapPost("/{id}/lease", RenewLease).ProducesProblem(404).ProducesProblem(409);
        return app;
    }

    /// <summary>
    /// Adds an item, or re-adds one with the same id (201 when made, 200 when it existed: its
    /// fields replaced and its lease renewed). Answered once stored, with ETag: its revision.
    /// </summary>
    public static async Task<Results<Created<ItemState>, Ok<ItemState>>> AddItem(
        AddItemRequest request, HttpResponse response, IDataspace dataspace, CancellationToken cancellationToken)
    {
        var command = new AddItem(
            request.Id,
            request.Type ?? "",
            request.Fields ?? JsonValues.EmptyObject,
            Responsible: null,
            request.ProcessBound ?? false,
            ItemRules.ToLease(request.LeaseSeconds));
        var result = await dataspace.AddAsync(command, cancellationToken);
        response.Headers.ETag = Revisions.ToETag(result.Item.Revision);
        return result.Created
            ? TypedResults.Created($"/api/items/{result.Item.Id}", result.Item)
            : TypedResults.Ok(result.Item);
    }

    /// <summary>
    /// Items matching a pattern, in id order, a page at a time. Filter on top-level fields with
    /// field.NAME=VALUE query parameters (repeat for several; VALUE is read as JSON when it parses,
    /// else as a string: field.room=hall, field.level=3, field.on=true). With atRevision, the items
    /// as they were at that revision (410 below the retained log).
    /// </summary>
    /// <param name="type">An exact type, or a prefix ending in '*' (ect.*); all items when absent.</param>
    /// <param name="responsible">Only items whose responsible peer is exactly this.</param>
    /// <param name="limit">Page size: 1 to Equip:Limits:MaxPageSize (1000); default DefaultPageSize (100).</param>
    /// <param name="after">An item id: the page starts after it (the last id of the previous page).</param>
    /// <param name="atRevision">A revision: the items as they were at it (400 when still to come; 410 below the retained log or inside a crash gap).</param>
    public static async Task<Ok<IReadOnlyList<ItemState>>> QueryItems(
        HttpRequest http, IDataspace dataspace, IItemHistory history, IOptions<LimitOptions> limits, CancellationToken cancellationToken,
        string? type = null, string? responsible = null, int? limit = null, Guid? after = null, long? atRevision = null)
    {
        var fields = http.Query
            .Where(q => q.Key.StartsWith(FieldPrefix, StringComparison.Ordinal) && q.Key.Length > FieldPrefix.Length)
            .ToDictionary(q => q.Key[FieldPrefix.Length..], q => ParseFieldValue(q.Value.ToString()));
        var pattern = new Pattern(string.IsNullOrEmpty(type) ? "*" : type, fields, responsible);
        var pageSize = PageSize.Check(limit, limits.Value);
        if (atRevision is { } revision)
        {
            if (revision < 0)
            {
                throw new BadHttpRequestException("atRevision must be a revision, 0 or more.");
            }
            return TypedResults.Ok((await history.AtAsync(pattern, revision, after, pageSize, cancellationToken)).Items);
        }
        return TypedResults.Ok(await dataspace.QueryAsync(pattern, after, pageSize, cancellationToken));
    }

    /// <summary>
    /// One item by id, with ETag: its revision.
    /// </summary>
    /// <param name="id">The item's id.</param>
    public static async Task<Ok<ItemState>> GetItem(Guid id, HttpResponse response, IDataspace dataspace, CancellationToken cancellationToken)
    {
        var item = await dataspace.GetAsync(id, cancellationToken) ?? throw new ItemNotFoundException(id);
        response.Headers.ETag = Revisions.ToETag(item.Revision);
        return TypedResults.Ok(item);
    }

    /// <summary>
    /// Replaces an item's fields (and its type or lease when given). With If-Match: REVISION it
    /// refuses (412) unless the item is still at that revision.
    /// </summary>
    /// <param name="id">The item's id.</param>
    public static async Task<Ok<ItemState>> UpdateItem(
        Guid id, UpdateItemRequest request, HttpRequest http, IDataspace dataspace, CancellationToken cancellationToken)
    {
        var command = new UpdateItem(
            id,
            request.Type,
            request.Fields ?? throw new InvalidItemException("An update needs fields: the item's new JSON object."),
            Revisions.FromIfMatch(http),
            ItemRules.ToLease(request.LeaseSeconds));
        var item = await dataspace.UpdateAsync(command, cancellationToken);
        http.HttpContext.Response.Headers.ETag = Revisions.ToETag(item.Revision);
        return TypedResults.Ok(item);
    }

    /// <summary>
    /// Deletes an item. With If-Match: REVISION it refuses (412) unless the item is still at that
    /// revision.
    /// </summary>
    /// <param name="id">The item's id.</param>
    public static async Task<NoContent> DeleteItem(Guid id, HttpRequest http, IDataspace dataspace, CancellationToken cancellationToken)
    {
        await dataspace.DeleteAsync(new DeleteItem(id, DeleteReason.Explicit, Revisions.FromIfMatch(http)), cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Renews an item's lease: for leaseSeconds when given, else for the duration it had (409 for
    /// an item without a lease).
    /// </summary>
    /// <param name="id">The item's id.</param>
    public static async Task<Ok<ItemState>> RenewLease(
        Guid id, RenewLeaseRequest? request, IDataspace dataspace, CancellationToken cancellationToken)
    {
        var item = await dataspace.RenewLeaseAsync(new RenewLease(id, ItemRules.ToLease(request?.LeaseSeconds)), cancellationToken);
        return TypedResults.Ok(item);
    }

    private static JsonElement ParseFieldValue(string value)
    {
        try
        {
            return JsonDocument.Parse(value).RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(value);
        }
    }
}
