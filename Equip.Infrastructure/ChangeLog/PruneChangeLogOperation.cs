using Equip.Infrastructure.Dataspace;
using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.ChangeLog;

/// Drops the events beyond the newest RetainCount (through the revision the pruner found, which
/// is never among them) and those older than RetainAge, and records how far the log now starts, so
/// that readers behind it are told to resynchronise.
internal sealed class PruneChangeLogOperation(ChangeLogOptions options, long newestBeyondCount) : StoreOperation<long>
{
    protected override async Task<long> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var db = await context.DbAsync(cancellationToken);
        var cutoff = context.Now - options.RetainAge;
        var newestTooOld = await db.ChangeLog
            .Where(e => e.Revision > context.PrunedThrough && e.OccurredAt < cutoff)
            .MaxAsync(e => (long?)e.Revision, cancellationToken) ?? 0;
        var through = Math.Max(newestBeyondCount, newestTooOld);
        if (through <= context.PrunedThrough)
        {
            return 0;
        }
        var pruned = await db.ChangeLog.Where(e => e.Revision <= through).ExecuteDeleteAsync(cancellationToken);
        await db.RevisionGaps.Where(g => g.Through <= through).ExecuteDeleteAsync(cancellationToken);
        context.PrunedThrough = through;
        return pruned;
    }
}
