using Equip.Domain.Dataspace;
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
        // Each item's latest event through the prune point stays, unless it deleted the item: the
        // state it left is what ItemHistory answers for the item at any retained revision before
        // the item's next change. It is no longer part of the log (reads start after PrunedThrough).
        var pruned = await db.ChangeLog
            .Where(e => e.Revision <= through
                && (e.Kind == ChangeKind.Deleted || db.ChangeLog.Any(later => later.ItemId == e.ItemId && later.Revision > e.Revision && later.Revision <= through)))
            .ExecuteDeleteAsync(cancellationToken);
        await db.RevisionGaps.Where(g => g.Through <= through).ExecuteDeleteAsync(cancellationToken);
        context.PrunedThrough = through;
        return pruned;
    }
}
