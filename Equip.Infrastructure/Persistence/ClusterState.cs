namespace Equip.Infrastructure.Persistence;

/// The single row of the cluster (docs/scaling.md): the current term, incremented by each node
/// that becomes the leader before it loads the store, and checked by every commit of a leader
/// (a leader whose term is not the current one commits nothing).
public sealed class ClusterState
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public long Term { get; set; }

    /// The node that started the current term, and its address.
    public string? LeaderNodeId { get; set; }

    public string? LeaderUrl { get; set; }

    public DateTimeOffset? ElectedAt { get; set; }
}

/// A node of the cluster as it last reported itself (docs/scaling.md): the leader every quarter of
/// the lock timeout, a standby at every attempt to take the lock.
public sealed class ClusterNode
{
    public string NodeId { get; set; } = "";

    public string? Url { get; set; }

    /// "leader" or "standby".
    public string Role { get; set; } = "";

    public long AppliedRevision { get; set; }

    public DateTimeOffset LastSeen { get; set; }
}

/// One key of ASP.NET Core's data protection (the dashboard's cookies and antiforgery tokens), kept
/// in the store when the nodes of a cluster share it (docs/scaling.md).
public sealed class DataProtectionKey
{
    public int Id { get; set; }

    public string? FriendlyName { get; set; }

    public string Xml { get; set; } = "";
}
