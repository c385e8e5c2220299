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

    /// Query by pattern: type (exact, or a prefix ending in '*'; all items when absent), responsible,
    /// and field.NAME=VALUE equalities (VALUE read as JSON when it parses, else as a string).
    public static async Task<Ok<IReadOnlyList<ItemState>>> QueryItems(
        HttpRequest http, IDataspace dataspace, IOptions<LimitOptions> limits, CancellationToken cancellationToken,
        string? type = null, string? responsible = null, int? limit = null, Guid? after = null)
    {
        var fields = http.Query
            .Where(q => q.Key.StartsWith(FieldPrefix, StringComparison.Ordinal) && q.Key.Length > FieldPrefix.Length)
            .ToDictionary(q => q.Key[FieldPrefix.Length..], q => ParseFieldValue(q.Value.ToString()));
        var pattern = new Pattern(string.IsNullOrEmpty(type) ? "*" : type, fields, responsible);
        var items = await dataspace.QueryAsync(pattern, after, PageSize.Check(limit, limits.Value), cancellationToken);
        return TypedResults.Ok(items);
    }

    public static async Task<Ok<ItemState>> GetItem(Guid id, HttpResponse response, IDataspace dataspace, CancellationToken cancellationToken)
    {
        var item = await dataspace.GetAsync(id, cancellationToken) ?? throw new ItemNotFoundException(id);
        response.Headers.ETag = Revisions.ToETag(item.Revision);
        return TypedResults.Ok(item);
    }

    /// Replaces the fields; with If-Match: REVISION it refuses (412) unless the item is still at that revision.
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

    public static async Task<NoContent> DeleteItem(Guid id, HttpRequest http, IDataspace dataspace, CancellationToken cancellationToken)
    {
        await dataspace.DeleteAsync(new DeleteItem(id, DeleteReason.Explicit, Revisions.FromIfMatch(http)), cancellationToken);
        return TypedResults.NoContent();
    }

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
