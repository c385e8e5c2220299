using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Dataspace.Live;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.Cluster;

/// The leader's side of a follower's stream (docs/scaling.md): the events after the revision the
/// follower has, read from the change log (memory, then the store), then every batch the writer
/// publishes, in revision order, each event once. A follower that falls further behind than
/// Equip:Cluster:FollowerBacklog writer turns is cut off; it resumes from where it got to.
public sealed class ReplicationSource
{
    private const int PageSize = 1000;
    private readonly IDataspace _dataspace;
    private readonly IChangeFeed _feed;
    private readonly LiveLog _log;
    private readonly StoreFence _fence;
    private readonly IOptions<ClusterOptions> _options;

    internal ReplicationSource(IDataspace dataspace, IChangeFeed feed, LiveLog log, StoreFence fence, IOptions<ClusterOptions> options)
    {
        _dataspace = dataspace;
        _feed = feed;
        _log = log;
        _fence = fence;
        _options = options;
    }

    public async IAsyncEnumerable<ReplicatedBatch> FollowAsync(long after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var live = Channel.CreateBounded<IReadOnlyList<ChangeEvent>>(new BoundedChannelOptions(_options.Value.FollowerBacklog) { SingleReader = true });
        // Subscribed before the log is read, so that nothing published in between is missed.
        using var subscription = _feed.Subscribe(events =>
        {
            if (!live.Writer.TryWrite(events))
            {
                live.Writer.TryComplete(new FollowerTooSlowException(_options.Value.FollowerBacklog));
            }
        });
        var last = after;
        while (true)
        {
            var page = await _dataspace.ReadChangesAsync(last, PageSize, cancellationToken);
            if (page.Events.Count > 0 || page.Gaps.Count > 0)
            {
                yield return Batch(page.Events, page.Gaps);
            }
            if (page.Events.Count == 0)
            {
                break;
            }
            last = page.Events[^1].Revision;
            if (last >= page.CurrentRevision)
            {
                break;
            }
        }
        yield return Batch([], []); // caught up: what follows is live
        await foreach (var events in live.Reader.ReadAllAsync(cancellationToken))
        {
            var fresh = events[^1].Revision <= last ? [] : events.Where(e => e.Revision > last).ToList();
            if (fresh.Count > 0)
            {
                last = fresh[^1].Revision;
                yield return Batch(fresh, []);
            }
        }
    }

    private ReplicatedBatch Batch(IReadOnlyList<ChangeEvent> events, IReadOnlyList<RevisionRange> gaps) =>
        new(_fence.Term ?? 0, events, _log.Flushed, _log.PrunedThrough, gaps);
}

/// A follower's stream was cut because it fell too far behind; it resumes from its revision.
public sealed class FollowerTooSlowException(int backlog)
    : Exception($"The follower fell more than {backlog} writer turns behind (Equip:Cluster:FollowerBacklog); it resumes from the revision it has.");
