using Microsoft.Extensions.Hosting;

namespace Equip.Infrastructure.Cluster;

/// A service that only the node that writes runs (the writer, the link engine, the launcher, the
/// lease sweeper, the reaper, the pruner, the MQTT broker): a follower leaves it unstarted. Started
/// after Leadership, which has decided by then what this node is.
public sealed class LeaderOnly(IHostedService service, Leadership leadership) : IHostedService
{
    private bool _started;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (leadership.Follows)
        {
            return;
        }
        _started = true;
        await service.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _started ? service.StopAsync(cancellationToken) : Task.CompletedTask;
}
