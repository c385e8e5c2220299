using Equip.Infrastructure.Cluster;
using Equip.Web.Hubs.Refusals;
using Microsoft.AspNetCore.SignalR;

namespace Equip.Web.Cluster;

internal static class ClusterSetup
{
    /// How many forwarded writes of one follower the leader makes at once.
    public const int ParallelWrites = 256;

    /// The replication channel: the leader's ClusterHub and a follower's end of it. Registered
    /// before the other web services, so that a follower has loaded its replica before they start.
    public static WebApplicationBuilder AddEquipCluster(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FollowerPeers>();
        builder.Services.AddSingleton<LeaderChannel>();
        builder.Services.AddSingleton<ILeaderWrites>(sp => sp.GetRequiredService<LeaderChannel>());
        builder.Services.AddSingleton<FollowerService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FollowerService>());
        builder.Services.AddSignalR().AddHubOptions<ClusterHub>(o =>
        {
            o.MaximumReceiveMessageSize = null; // the admin's own nodes: writes of any size the limits allow
            // A follower's writes are made side by side, so that they share the leader's commits.
            // Each starts in the order it arrived and reaches the writer's queue before its first
            // await, so the writer sees them in the order the follower sent them.
            o.MaximumParallelInvocationsPerClient = ParallelWrites;
            o.AddFilter<HubErrorFilter>();
        }).AddJsonProtocol(o => ClusterJson.Configure(o.PayloadSerializerOptions));
        return builder;
    }

    public static IEndpointRouteBuilder MapClusterReplication(this IEndpointRouteBuilder app)
    {
        app.MapHub<ClusterHub>(ClusterHub.Path);
        // For a load balancer that must send something to the leader alone (MQTT, served by the
        // leader only): 200 on the node that writes (a single node too), 503 on any other.
        app.MapGet("/health/leader", (Leadership leadership) => leadership.Role is NodeRole.Leader or NodeRole.Single && leadership.Holds
                ? Results.Text("Leader")
                : Results.Text(leadership.Role == NodeRole.Follower ? "Follower" : "Standby", statusCode: StatusCodes.Status503ServiceUnavailable))
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
