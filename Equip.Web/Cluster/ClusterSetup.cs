using Equip.Infrastructure.Cluster;
using Equip.Web.Hubs.Refusals;
using Microsoft.AspNetCore.SignalR;

namespace Equip.Web.Cluster;

internal static class ClusterSetup
{
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
            o.AddFilter<HubErrorFilter>();
        });
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
