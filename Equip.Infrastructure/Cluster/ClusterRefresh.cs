using Equip.Infrastructure.Access;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.Cluster;

/// In a cluster, device keys and ended dashboard sessions are made on whichever node a user asked;
/// every node reads them back from the store every quarter of the lock timeout, so that a key
/// made on one node works on all and a revocation or sign-out reaches every node's connections
/// within that time (docs/scaling.md). On a single node nothing of this runs.
internal sealed partial class ClusterRefresh(IOptions<ClusterOptions> options, DeviceKeys keys, DashboardSessions sessions, TimeProvider time, ILogger<ClusterRefresh> logger)
    : PeriodicService(options.Value.LockTimeout / 4, time)
{
    public override Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.Enabled ? base.StartAsync(cancellationToken) : Task.CompletedTask;

    protected override async Task TickAsync(CancellationToken cancellationToken)
    {
        await keys.RefreshAsync(cancellationToken);
        await sessions.RefreshAsync(cancellationToken);
    }

    protected override void OnTickFailed(Exception error) => RefreshFailed(logger, error.Message);

    [LoggerMessage(1, LogLevel.Warning, "Could not read the cluster's device keys and ended sessions: {Reason}. Trying again shortly.", EventName = "ClusterRefreshFailed")]
    private static partial void RefreshFailed(ILogger logger, string reason);
}
