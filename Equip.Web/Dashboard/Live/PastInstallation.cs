using Equip.Domain.Dataspace;
using Equip.Infrastructure.Components.Links;
using Equip.Infrastructure.Dataspace.Live;

namespace Equip.Web.Dashboard.Live;

/// The installation as it was at an earlier revision (the time control of the Graph and
/// Installation pages, docs/dashboard.md): built by the same SnapshotBuilder as the live one,
/// from the items as IItemHistory answers them. Link statuses are worked out from what the
/// snapshot holds (the engine keeps only the present), and peers are left out: their
/// connections are not logged.
public sealed class PastInstallation(IItemHistory history, IDataspace dataspace, LiveInstallation live, ILiveItems current, TimeProvider time)
{
    private const int EventsAround = 6;

    /// Where the time control's slider starts.
    public long EarliestRevision => history.EarliestRevision;

    /// Where it ends: the revision applied now (the live snapshot may be a refresh behind).
    public long CurrentRevision => current.Revision;

    public async Task<InstallationSnapshot> AtAsync(long revision, CancellationToken cancellationToken)
    {
        var items = await history.AtAsync(Pattern.All, revision, null, int.MaxValue, cancellationToken);
        var tracked = new TrackedItems();
        tracked.Load(items.Items.Where(i => TrackedItems.Follows(i.Type)), revision);
        var around = await EventsAroundAsync(revision, cancellationToken);
        return SnapshotBuilder.Build(tracked, null, null, [], live.Current.Timeline, around, 0, time.GetUtcNow());
    }

    /// The revision just before or just after a moment (a recovery-timeline entry's links).
    public Task<long> RevisionAtAsync(DateTimeOffset moment, CancellationToken cancellationToken) =>
        history.RevisionAtAsync(moment, cancellationToken);

    /// A few events on either side of the revision, newest first, as the live snapshot lists them.
    private async Task<IReadOnlyList<ChangeEvent>> EventsAroundAsync(long revision, CancellationToken cancellationToken)
    {
        var from = Math.Max(history.EarliestRevision, revision - 64);
        try
        {
            var page = await dataspace.ReadChangesAsync(from, 128 + EventsAround, cancellationToken);
            var before = page.Events.Where(e => e.Revision <= revision).TakeLast(EventsAround);
            var after = page.Events.Where(e => e.Revision > revision).Take(EventsAround);
            return [.. before.Concat(after).Reverse()];
        }
        catch (ChangeLogCompactedException)
        {
            return []; // pruned or inside a crash gap since the items were read
        }
    }
}
