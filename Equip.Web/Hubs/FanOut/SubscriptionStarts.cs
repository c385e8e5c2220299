using Equip.Domain.Dataspace;
using Equip.Infrastructure.Cluster;
using Equip.Infrastructure.Dataspace;
using Equip.Infrastructure.Dataspace.Live;
using Equip.Protocol;
using Equip.Web.Hubs.Connections;
using Microsoft.Extensions.Options;

namespace Equip.Web.Hubs.FanOut;

/// How a subscription starts: with a snapshot of what matches, or by replaying the log's events
/// after the revision the client resumes from (docs/protocol.md, Subscribe). Either way the
/// subscription's first frame is queued before any live event for it.
internal sealed class SubscriptionStarts(IDataspace dataspace, IOptions<HubLimitOptions> hubLimits, Leadership leadership, ILiveItems live, IOptions<ClusterOptions> cluster)
{
    private const int ReplayPage = 1000;

    /// Starts the subscription; answers the revision its first frame brings it to.
    public async Task<long> StartAsync(PeerConnection connection, Subscription subscription, long? fromRevision, CancellationToken cancellationToken) =>
        fromRevision is { } from
            ? await ReplayAsync(connection, subscription, from, cancellationToken) ?? await SnapshotAsync(connection, subscription, resynchronised: true, cancellationToken)
            : await SnapshotAsync(connection, subscription, resynchronised: false, cancellationToken);

    private async Task<long> SnapshotAsync(PeerConnection connection, Subscription subscription, bool resynchronised, CancellationToken cancellationToken)
    {
        var snapshot = await dataspace.SnapshotAsync(subscription.Pattern, cancellationToken);
        subscription.Start(snapshot.Revision, () => connection.Outbox.Append(new OutboxSnapshot(new SnapshotMessage
        {
            SubscriptionId = subscription.Id,
            Revision = snapshot.Revision,
            Items = snapshot.Items.Select(i => i.ToWire()).ToList(),
            Resynchronised = resynchronised,
        })));
        return snapshot.Revision;
    }

    /// The log's events after the revision; null (the caller sends a snapshot instead) when the log
    /// no longer reaches back that far, when the revision is ahead of the log (a store restored
    /// from a backup), or when the replay would be longer than a snapshot is worth: the gap spans
    /// more than MaxReplayRevisions revisions, or more than half MaxPendingMessages events match.
    private async Task<long?> ReplayAsync(PeerConnection connection, Subscription subscription, long from, CancellationToken cancellationToken)
    {
        var maxReplay = hubLimits.Value.MaxPendingMessages / 2;
        var replayed = new List<ChangeEvent>();
        var after = from;
        long current;
        if (leadership.Follows && !await live.WaitForAsync(from, cluster.Value.LockTimeout, cancellationToken))
        {
            // A follower behind the client is no restored backup: the client tries another node
            // (docs/scaling.md), rather than drop what it holds.
            throw new ServiceStoppingException();
        }
        try
        {
            var head = await dataspace.ReadChangesAsync(from, 1, cancellationToken);
            if (from > head.CurrentRevision || head.CurrentRevision - from > hubLimits.Value.MaxReplayRevisions)
            {
                return null;
            }
            while (true)
            {
                var page = await dataspace.ReadChangesAsync(after, ReplayPage, cancellationToken);
                replayed.AddRange(page.Events.Where(subscription.Concerns));
                current = page.CurrentRevision;
                if (replayed.Count > maxReplay)
                {
                    return null;
                }
                if (page.Events.Count < ReplayPage)
                {
                    break;
                }
                after = page.Events[^1].Revision;
            }
        }
        catch (ChangeLogCompactedException)
        {
            return null;
        }
        subscription.Start(current, () =>
        {
            foreach (var change in replayed)
            {
                connection.Outbox.Append(new OutboxEvent(subscription.Id, new EventFrame(new SharedEvent(change), subscription.Pattern.Matches(change.Item)), Unreliable: false));
            }
        });
        return current;
    }
}
