using Microsoft.Extensions.Logging;
using Npgsql;

namespace Equip.Infrastructure.Cluster;

/// What a node is in its cluster.
public enum NodeRole
{
    /// Not in a cluster: it leads itself.
    Single,
    /// Waiting for the lock, serving nothing (before the first try, or with Equip:Cluster:Follow off).
    Standby,
    /// Holds the lock: it writes.
    Leader,
    /// Serves from the leader's stream and forwards its writes to the leader.
    Follower,
}

/// The leader as cluster_state records it: who, in which term, and where its followers reach it.
public sealed record ClusterLeader(string NodeId, string Url, long Term);

/// A follower (docs/scaling.md): it keeps trying the lock every StandbyPoll, reporting itself and
/// the revision it has applied; when the lock is free its leader is gone, and it restarts to lead
/// (exit code 75), as a standby would have taken over. When another node was elected meanwhile (a
/// new term), it restarts too: its copy may hold changes the old leader answered but never stored,
/// so it loads again from the store, following the new leader.
public sealed partial class Leadership
{
    private ClusterLeader? _leader;
    private Task _watching = Task.CompletedTask;

    /// The leader this node follows (null unless it follows).
    public ClusterLeader? Leader => Volatile.Read(ref _leader);

    private void Follow(ClusterLeader leader)
    {
        Volatile.Write(ref _leader, leader);
        Volatile.Write(ref _role, (int)NodeRole.Follower);
        Following(logger, NodeId, leader.NodeId, leader.Url, leader.Term);
        _watching = WatchAsync(_stopping.Token);
    }

    private async Task WatchAsync(CancellationToken stopping)
    {
        var timeout = options.Value.LockTimeout;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.StandbyPoll, stopping);
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                bounded.CancelAfter(timeout);
                if (await ExecuteAsync($"SELECT pg_try_advisory_lock({LockKey})", bounded.Token) is true)
                {
                    // It stays a follower until it exits: its writes (the closing connections'
                    // disconnects among them) must not reach a writer that never started.
                    TakingOver(logger, NodeId);
                    Environment.ExitCode = 75;
                    lifetime.StopApplication();
                    return;
                }
                await ReportAsync("follower", bounded.Token);
                if (await ReadLeaderAsync(bounded.Token) is { } leader && leader.Term != Leader?.Term)
                {
                    FollowsNewLeader(logger, NodeId, leader.NodeId, leader.Url, leader.Term);
                    Environment.ExitCode = 75;
                    lifetime.StopApplication();
                    return;
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                // The database is away: the follower goes on serving what it has, and tries again.
                FollowerCheckFailed(logger, NodeId, error.Message);
            }
        }
    }

    /// The recorded leader, when it advertises an address other than this node's.
    private async Task<ClusterLeader?> ReadLeaderAsync(CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""SELECT "LeaderNodeId", "LeaderUrl", "Term" FROM cluster_state WHERE "Id" = 1""", _connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || reader.IsDBNull(0) || reader.IsDBNull(1))
        {
            return null;
        }
        var leader = new ClusterLeader(reader.GetString(0), reader.GetString(1), reader.GetInt64(2));
        return leader.NodeId == NodeId ? null : leader;
    }

    [LoggerMessage(4, LogLevel.Information, "Cluster node {NodeId} follows the leader {LeaderNodeId} at {LeaderUrl}, in term {Term}.", EventName = "ClusterFollower")]
    private static partial void Following(ILogger logger, string nodeId, string leaderNodeId, string leaderUrl, long term);

    [LoggerMessage(5, LogLevel.Warning, "Cluster node {NodeId} takes the lock its leader left: it restarts to lead (exit code 75).", EventName = "ClusterTakeOver")]
    private static partial void TakingOver(ILogger logger, string nodeId);

    [LoggerMessage(6, LogLevel.Warning, "Cluster node {NodeId} restarts to follow the new leader {LeaderNodeId} at {LeaderUrl}, in term {Term} (exit code 75).", EventName = "ClusterLeaderChanged")]
    private static partial void FollowsNewLeader(ILogger logger, string nodeId, string leaderNodeId, string leaderUrl, long term);

    [LoggerMessage(7, LogLevel.Warning, "Cluster node {NodeId} could not check its leader: {Reason}. It goes on following and tries again.", EventName = "ClusterFollowerCheckFailed")]
    private static partial void FollowerCheckFailed(ILogger logger, string nodeId, string reason);
}
