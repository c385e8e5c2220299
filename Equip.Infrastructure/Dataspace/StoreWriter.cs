using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.Dataspace;

/// Puts a StoreWork into a context whose transaction holds the state row: the item rows, the
/// change log entries and the state row, checking first which of them the store already has when
/// the last write's outcome was unknown. The caller saves and commits.
internal static class StoreWriter
{
    public static async Task AddAsync(EquipDbContext db, DataspaceState state, StoreWork work, CancellationToken cancellationToken)
    {
        HashSet<Guid>? present = null;
        HashSet<long> logged = [];
        if (work.Verify)
        {
            var ids = work.Rows.Select(r => r.Id).ToList();
            present = [.. await db.Items.AsNoTracking().Where(i => ids.Contains(i.Id)).Select(i => i.Id).ToListAsync(cancellationToken)];
            var revisions = work.Events.Select(e => e.Revision).ToList();
            logged = [.. await db.ChangeLog.Where(e => revisions.Contains(e.Revision)).Select(e => e.Revision).ToListAsync(cancellationToken)];
        }
        foreach (var row in work.Rows)
        {
            var stored = present?.Contains(row.Id) ?? row.Stored;
            if (row.Deleted)
            {
                if (stored)
                {
                    db.Items.Remove(row.Item);
                }
            }
            else if (stored)
            {
                db.Items.Update(row.Item);
            }
            else
            {
                db.Items.Add(row.Item);
            }
        }
        db.ChangeLog.AddRange(work.Events.Where(e => !logged.Contains(e.Revision)).Select(ChangeLogEntry.From));
        state.CurrentRevision = work.Through;
        state.RevisionCeiling = work.Ceiling;
        state.PrunedThrough = work.PrunedThrough;
        db.Entry(state).State = EntityState.Modified; // the whole row, whatever it held
    }
}
