using Equip.Domain.Peers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Equip.Web.Apis;

public static class PeersApi
{
    public static IEndpointRouteBuilder MapPeersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/peers", ListPeers).WithTags("Peers");
        return app;
    }

    /// <summary>
    /// Every peer known to the dataspace with its association state: connected, reconnecting (its
    /// association ended and the grace period runs) or gone (its session ended).
    /// </summary>
    public static async Task<Ok<IReadOnlyList<PeerView>>> ListPeers(IPeerSessions peers, CancellationToken cancellationToken) =>
        TypedResults.Ok(await peers.ListAsync(cancellationToken));
}
