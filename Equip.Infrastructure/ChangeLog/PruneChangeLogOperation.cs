using Equip.Infrastructure.Dataspace;
using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.ChangeLog;

/// Drops the events beyond the newest RetainCount and those older than RetainAge, and records how
/// far the log now starts, so that readers behind it are told to resynchronise.
internal sealed class PruneChangeLogOperation(ChangeLogOptions options) : WriteOperation<long>
{
    protected override async Task<long> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var state = context.State;
        var cutoff = context.Now - options.RetainAge;
        var newestTooOld = await context.Db.ChangeLog
            .Where(e => e.Revision > state.PrunedThrough && e.OccurredAt < cutoff)
            .MaxAsync(e => (long?)e.Revision, cancellationToken) ?? 0;
        var through = Math.Max(state.CurrentRevision - options.RetainCount, newestTooOld);
        if (through <= state.PrunedThrough)
        {
            return 0;
        }
        var pruned = await context.Db.ChangeLog.Where(e => e.Revision <= through).ExecuteDeleteAsync(cancellationToken);
        state.PrunedThrough = through;
        return pruned;
    }
}
