using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Dataspace.Live;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.Dataspace;

/// What the writer starts from: the stored items, peers and revision counter. When the ceiling is
/// above the stored revision the last run did not stop cleanly, and its written-behind changes
/// from there on may be lost: that range is recorded as a gap and the counter goes on above it.
internal static class StoreLoader
{
    public sealed record Loaded(List<Item> Items, List<Peer> Peers, long Revision, long PrunedThrough, List<RevisionGap> Gaps, List<ChangeEvent> Recent);

    /// recent: how many of the latest stored events to load as well (the LiveLog's memory window),
    /// so that the peers resuming after a restart replay from memory.
    public static async Task<Loaded> LoadAsync(IDbContextFactory<EquipDbContext> contexts, int recent, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var state = await db.State.SingleAsync(s => s.Id == DataspaceState.SingletonId, cancellationToken);
        if (state.RevisionCeiling > state.CurrentRevision)
        {
            db.RevisionGaps.Add(new RevisionGapEntry { After = state.CurrentRevision, Through = state.RevisionCeiling });
            state.CurrentRevision = state.RevisionCeiling;
            await db.SaveChangesAsync(cancellationToken);
        }
        var gaps = await db.RevisionGaps.AsNoTracking().Where(g => g.Through > state.PrunedThrough).ToListAsync(cancellationToken);
        var items = await db.Items.AsNoTracking().ToListAsync(cancellationToken);
        var peers = await db.Peers.AsNoTracking().ToListAsync(cancellationToken);
        var entries = await db.ChangeLog.AsNoTracking().Where(e => e.Revision > state.PrunedThrough).OrderByDescending(e => e.Revision).Take(recent).ToListAsync(cancellationToken);
        entries.Reverse();
        return new Loaded(items, peers, state.CurrentRevision, state.PrunedThrough,
            [.. gaps.Select(g => new RevisionGap(g.After, g.Through))], [.. entries.Select(e => e.ToEvent())]);
    }
}
