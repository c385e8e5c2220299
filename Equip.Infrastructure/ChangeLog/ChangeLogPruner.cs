using Equip.Infrastructure.Dataspace;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.ChangeLog;

internal sealed class ChangeLogPruner(DataspaceWriter writes, IOptions<ChangeLogOptions> options, TimeProvider time, ILogger<ChangeLogPruner> logger)
    : PeriodicService(options.Value.PruneInterval, time)
{
    protected override async Task TickAsync(CancellationToken cancellationToken)
    {
        var pruned = await writes.EnqueueAsync(new PruneChangeLogOperation(options.Value), cancellationToken);
        if (pruned > 0)
        {
            ChangeLogPrunerLog.Pruned(logger, pruned);
        }
    }

    protected override void OnTickFailed(Exception error) => ChangeLogPrunerLog.Failed(logger, error);
}

internal static partial class ChangeLogPrunerLog
{
    [LoggerMessage(1, LogLevel.Information, "Pruned {Count} change log events.")]
    public static partial void Pruned(ILogger logger, long count);

    [LoggerMessage(2, LogLevel.Error, "Pruning the change log failed; trying again at the next interval.")]
    public static partial void Failed(ILogger logger, Exception error);
}
