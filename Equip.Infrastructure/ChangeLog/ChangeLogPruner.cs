using Equip.Infrastructure.Dataspace;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.ChangeLog;

internal sealed class ChangeLogPruner(WriteQueue writes, IOptions<ChangeLogOptions> options, TimeProvider time, ILogger<ChangeLogPruner> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PruneInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var pruned = await writes.EnqueueAsync(new PruneChangeLogOperation(options.Value), stoppingToken);
                if (pruned > 0)
                {
                    ChangeLogPrunerLog.Pruned(logger, pruned);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                ChangeLogPrunerLog.Failed(logger, error);
            }
        }
    }
}

internal static partial class ChangeLogPrunerLog
{
    [LoggerMessage(1, LogLevel.Information, "Pruned {Count} change log events.")]
    public static partial void Pruned(ILogger logger, long count);

    [LoggerMessage(2, LogLevel.Error, "Pruning the change log failed; trying again at the next interval.")]
    public static partial void Failed(ILogger logger, Exception error);
}
