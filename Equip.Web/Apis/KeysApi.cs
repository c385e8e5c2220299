using Equip.Domain.Access;
using Equip.Infrastructure.Access;
using Equip.Web.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Equip.Web.Apis;

/// <summary>Body of POST /api/keys.</summary>
/// <param name="Name" example="hall lamps">What the key is for.</param>
/// <param name="ContainerIds" example="[&quot;lamp-1&quot;]">The container ids its connections may publish; empty or absent: any.</param>
/// <param name="PeerIds" example="[&quot;lamp-1&quot;]">The peer ids its connections may register as; empty or absent: any.</param>
public sealed record CreateKeyRequest(string? Name, IReadOnlyList<string>? ContainerIds, IReadOnlyList<string>? PeerIds);

/// A key just made: Key is the key itself, shown only in this answer.
public sealed record CreatedKeyResponse(Guid Id, string Name, string Prefix, IReadOnlyList<string> ContainerIds, IReadOnlyList<string> PeerIds, DateTimeOffset CreatedAt, string Key);

/// Device keys, for the admin only: made, listed and revoked (a revoked key is listed with the
/// time it was revoked and never accepted again; its open connections are closed at once).
public static class KeysApi
{
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").WithTags("Keys").RequireAuthorization(Callers.AdminPolicy);
        keys.MapPost("/", CreateKey).ProducesProblem(400);
        keys.MapGet("/", ListKeys);
        keys.MapDelete("/{id}", RevokeKey).ProducesProblem(404);
        return app;
    }

    /// <summary>
    /// Makes a device key: its secret is answered this once.
    /// </summary>
    public static async Task<Created<CreatedKeyResponse>> CreateKey(CreateKeyRequest request, DeviceKeys keys, CancellationToken cancellationToken)
    {
        var created = await keys.CreateAsync(request.Name ?? "", request.ContainerIds, request.PeerIds, cancellationToken);
        var key = created.Key;
        return TypedResults.Created($"/api/keys/{key.Id}",
            new CreatedKeyResponse(key.Id, key.Name, key.Prefix, key.ContainerIds, key.PeerIds, key.CreatedAt, created.Secret));
    }

    /// <summary>
    /// The device keys: names, grants, when made and whether revoked (never their secrets).
    /// </summary>
    public static async Task<Ok<IReadOnlyList<DeviceKeyView>>> ListKeys(DeviceKeys keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(await keys.ListAsync(cancellationToken));

    /// <summary>
    /// Revokes a device key (answers it as revoked); connections made with it are closed at once.
    /// </summary>
    /// <param name="id">The key's id.</param>
    public static async Task<Ok<DeviceKeyView>> RevokeKey(Guid id, DeviceKeys keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(await keys.RevokeAsync(id, cancellationToken));
}
