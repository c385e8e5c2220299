using Equip.Infrastructure.Dataspace.Live;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.Cluster;

/// One node as GET /api/cluster shows it; Lag (followers only) is how many revisions it was behind
/// the leader, as of their last reports.
public sealed record ClusterNodeView(string NodeId, string? Url, string Role, long AppliedRevision, DateTimeOffset LastSeen)
{
    public long? Lag { get; init; }
}

/// The cluster as GET /api/cluster shows it: the current term (null on a single node) and the nodes.
public sealed record ClusterView(bool Enabled, long? Term, IReadOnlyList<ClusterNodeView> Nodes);

/// Reads the cluster's state for GET /api/cluster (docs/scaling.md): the node that answers
/// reports itself as it is now (leader only while it holds its lock); the others as they last
/// reported themselves, "unreachable" when that is more than twice the lock timeout ago.
public sealed class ClusterStatus(Leadership leadership, ILiveItems live, IDbContextFactory<EquipDbContext> contexts, IOptions<ClusterOptions> options, TimeProvider time)
{
    public async Task<ClusterView> ReadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var self = new ClusterNodeView(leadership.NodeId, options.Value.AdvertisedUrl, RoleOf(leadership), live.Revision, now);
        if (!leadership.Enabled)
        {
            return new ClusterView(false, null, [self]);
        }
        await using var db = contexts.CreateDbContext();
        var term = await db.Cluster.Select(c => c.Term).SingleAsync(cancellationToken);
        var others = (await db.ClusterNodes.AsNoTracking().ToListAsync(cancellationToken))
            .Where(n => n.NodeId != self.NodeId)
            .Select(n => new ClusterNodeView(n.NodeId, n.Url, Role(n, self.Role, now), n.AppliedRevision, n.LastSeen));
        List<ClusterNodeView> nodes = [self, .. others.OrderBy(n => n.NodeId, StringComparer.Ordinal)];
        var leading = nodes.FirstOrDefault(n => n.Role == "leader")?.AppliedRevision;
        return new ClusterView(true, term, [.. nodes.Select(n => n.Role == "follower" && leading is { } revision ? n with { Lag = Math.Max(0, revision - n.AppliedRevision) } : n)]);
    }

    private static string RoleOf(Leadership leadership) => leadership.Role switch
    {
        NodeRole.Follower => "follower",
        NodeRole.Leader or NodeRole.Single when leadership.Holds => "leader",
        _ => "standby",
    };

    /// Another node's role: as it last reported it, unless that is too long ago, or it says leader
    /// while this node leads (an earlier leader, dead or fenced).
    private string Role(ClusterNode node, string selfRole, DateTimeOffset now) =>
        now - node.LastSeen > 2 * options.Value.LockTimeout || (node.Role == "leader" && selfRole == "leader") ? "unreachable" : node.Role;
}
