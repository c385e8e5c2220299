using Equip.Infrastructure.Dataspace;
using Equip.Infrastructure.Dataspace.Live;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.Leases;

/// Deletes items whose lease has run out (reason leaseExpired), checking every SweepInterval.
internal sealed class LeaseSweeper(
    LiveItems items,
    DataspaceWriter writes,
    IOptions<LeaseOptions> options,
    TimeProvider time,
    ILogger<LeaseSweeper> logger) : PeriodicService(options.Value.SweepInterval, time)
{
    private const int MaxPerSweep = 1000;

    protected override void OnTickFailed(Exception error) => LeaseSweeperLog.Failed(logger, error);

    protected override async Task TickAsync(CancellationToken cancellationToken)
    {
        List<Guid> expired;
        do
        {
            expired = items.Expired(Time.GetUtcNow(), MaxPerSweep);
            if (expired.Count > 0)
            {
                var deleted = await writes.EnqueueAsync(new ExpireLeasesOperation(expired), cancellationToken);
                LeaseSweeperLog.Expired(logger, deleted);
            }
        }
        while (expired.Count == MaxPerSweep);
    }
}

internal static partial class LeaseSweeperLog
{
    [LoggerMessage(1, LogLevel.Debug, "Deleted {Count} items whose lease expired.")]
    public static partial void Expired(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Error, "The lease sweep failed; trying again at the next interval.")]
    public static partial void Failed(ILogger logger, Exception error);
}
