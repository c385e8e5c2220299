using Equip.Infrastructure.Dataspace;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.ChangeLog;

/// Prunes the change log every PruneInterval. Which events lie beyond the newest RetainCount is
/// read here, beside the writer (counting a log of a million events takes tens of milliseconds,
/// which the writer's turn should not wait for); events stored meanwhile only make it keep more.
internal sealed class ChangeLogPruner(DataspaceWriter writes, IDbContextFactory<EquipDbContext> contexts, IOptions<ChangeLogOptions> options, TimeProvider time, ILogger<ChangeLogPruner> logger)
    : PeriodicService(options.Value.PruneInterval, time)
{
    protected override async Task TickAsync(CancellationToken cancellationToken)
    {
        var beyondCount = await NewestBeyondCountAsync(cancellationToken);
        var pruned = await writes.EnqueueAsync(new PruneChangeLogOperation(options.Value, beyondCount), cancellationToken);
        if (pruned > 0)
        {
            ChangeLogPrunerLog.Pruned(logger, pruned);
        }
    }

    protected override void OnTickFailed(Exception error) => ChangeLogPrunerLog.Failed(logger, error);

    /// The revision of the newest stored event that is not among the newest RetainCount (0 when
    /// the log holds no more than that). Events are counted, not revisions: values squashed before
    /// they were stored and the revisions a crash skipped take no room.
    private async Task<long> NewestBeyondCountAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var prunedThrough = await db.State.AsNoTracking().Select(s => s.PrunedThrough).SingleAsync(cancellationToken);
        var retained = db.ChangeLog.Where(e => e.Revision > prunedThrough); // not the items' latest states kept below it
        var beyond = await retained.LongCountAsync(cancellationToken) - options.Value.RetainCount;
        if (beyond <= 0)
        {
            return 0;
        }
        return await retained.OrderBy(e => e.Revision).Skip((int)Math.Min(beyond - 1, int.MaxValue))
            .Select(e => e.Revision).FirstOrDefaultAsync(cancellationToken);
    }
}

internal static partial class ChangeLogPrunerLog
{
    [LoggerMessage(1, LogLevel.Information, "Pruned {Count} change log events.")]
    public static partial void Pruned(ILogger logger, long count);

    [LoggerMessage(2, LogLevel.Error, "Pruning the change log failed; trying again at the next interval.")]
    public static partial void Failed(ILogger logger, Exception error);
}
