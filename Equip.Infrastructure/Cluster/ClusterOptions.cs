using System.ComponentModel.DataAnnotations;

namespace Equip.Infrastructure.Cluster;

/// Several nodes on one PostgreSQL (docs/scaling.md): one leader, elected by an advisory lock,
/// writes; the others follow it (serve devices, dashboards and REST from its stream, forwarding
/// their writes to it) or, with Follow off, stand by until it goes.
public sealed class ClusterOptions
{
    public const string Section = "Equip:Cluster";

    /// Whether this node takes part in a cluster (PostgreSQL only).
    public bool Enabled { get; set; }

    /// This node's name in the cluster; the machine's name and the process id when not given.
    public string? NodeId { get; set; }

    /// The address clients reach this node at, shown by GET /api/cluster.
    public string? AdvertisedUrl { get; set; }

    /// How long the leader may go without confirming its lock before it stops writing, and how long
    /// PostgreSQL keeps the lock of a leader that went silent (its idle_session_timeout).
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// Whether a node that does not lead follows the leader and serves (true), or stands by
    /// without serving until it leads (false).
    public bool Follow { get; set; } = true;

    /// How often a node that does not lead tries to take the lock.
    public TimeSpan StandbyPoll { get; set; } = TimeSpan.FromMilliseconds(500);

    /// How many writer turns the leader holds for a follower that reads its stream slowly before
    /// it cuts that stream (the follower then resumes from the revision it has).
    [Range(16, 1_000_000)]
    public int FollowerBacklog { get; set; } = 10_000;

    public string NodeName => string.IsNullOrWhiteSpace(NodeId) ? $"{Environment.MachineName}-{Environment.ProcessId}" : NodeId;
}
