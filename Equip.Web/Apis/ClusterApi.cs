using Equip.Infrastructure.Cluster;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Equip.Web.Apis;

public static class ClusterApi
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cluster", ReadCluster).WithTags("Cluster");
        return app;
    }

    /// <summary>
    /// The cluster: its term and its nodes, each with its role (leader, follower, standby,
    /// unreachable), the revision it has applied, when it last reported and, for a follower, its
    /// lag. On a single node: enabled false, term null, and the node itself.
    /// </summary>
    public static async Task<Ok<ClusterView>> ReadCluster(ClusterStatus cluster, CancellationToken cancellationToken) =>
        TypedResults.Ok(await cluster.ReadAsync(cancellationToken));
}
