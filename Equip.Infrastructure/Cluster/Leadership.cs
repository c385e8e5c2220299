using Equip.Infrastructure.Dataspace.Live;
using System.Diagnostics;
using Equip.Infrastructure.Access;
using Equip.Infrastructure.Observability;
using Equip.Infrastructure.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Equip.Infrastructure.Cluster;

/// Who leads a cluster (docs/scaling.md): at start a node takes PostgreSQL's advisory lock on a
/// connection of its own (unpooled, with an idle_session_timeout of Equip:Cluster:LockTimeout, so
/// that the lock of a leader gone silent — killed, stopped, cut off — is released within it); a
/// standby waits here, before the store is loaded, until it gets the lock. The new leader starts
/// a term under the state row's lock, and from then on every commit checks that term (StoreFence).
/// It confirms its lock every quarter of the timeout, and may write only while the last
/// confirmation is younger than the timeout (Holds); once it cannot confirm, it steps down: it
/// stops writing and stops the process. On a single node nothing of this runs and Holds is true.
public sealed partial class Leadership(
    IOptions<ClusterOptions> options,
    IOptions<DatabaseOptions> database,
    IOptions<AuthOptions> auth,
    StoreFence fence,
    ILiveItems live,
    EquipMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<Leadership> logger) : IHostedService
{
    /// The advisory lock's key ("Equip" in ASCII): one cluster per database.
    private const long LockKey = 0x4571756970;
    private NpgsqlConnection? _connection;
    private long _validUntil = long.MaxValue; // a Stopwatch timestamp
    private int _steppedDown;
    private readonly CancellationTokenSource _stopping = new();
    private Task _beating = Task.CompletedTask;

    public bool Enabled => options.Value.Enabled;

    public string NodeId => options.Value.NodeName;

    public long? Term => fence.Term;

    private int _role = (int)NodeRole.Single;

    /// What this node is in its cluster (Single when it is in none).
    public NodeRole Role => (NodeRole)Volatile.Read(ref _role);

    /// Whether this node follows a leader: its writes go to the leader, its live state comes from
    /// the leader's stream.
    public bool Follows => Role == NodeRole.Follower;

    /// Whether this node may write now.
    public bool Holds => Stopwatch.GetTimestamp() < Volatile.Read(ref _validUntil);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }
        if (database.Value.Provider != DatabaseProvider.Postgres)
        {
            throw new InvalidOperationException("Equip:Cluster:Enabled needs PostgreSQL (Equip:Database:Provider=Postgres): a SQLite store serves one node only.");
        }
        if (string.IsNullOrWhiteSpace(auth.Value.AdminKey))
        {
            throw new InvalidOperationException("Equip:Cluster:Enabled needs the admin key configured (Equip:Auth:AdminKey), the same on every node: a key each node made for itself would differ.");
        }
        Volatile.Write(ref _validUntil, 0);
        Volatile.Write(ref _role, (int)NodeRole.Standby);
        metrics.ObserveCluster(() => fence.Term, () => Holds);
        var timeout = options.Value.LockTimeout;
        _connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.Value.ConnectionString)
        {
            Pooling = false,
            KeepAlive = Math.Max(1, (int)(timeout.TotalSeconds / 4)),
            Timeout = Math.Max(1, (int)timeout.TotalSeconds),
            CommandTimeout = Math.Max(1, (int)timeout.TotalSeconds),
            CancellationTimeout = -1, // a confirmation cut short breaks the connection at once, without waiting for the cancel to be answered
        }.ConnectionString);
        await _connection.OpenAsync(cancellationToken);
        await ExecuteAsync($"SET idle_session_timeout = {(long)timeout.TotalMilliseconds}", cancellationToken);
        var standing = false;
        long sent;
        while (true)
        {
            sent = Stopwatch.GetTimestamp();
            if (await ExecuteAsync($"SELECT pg_try_advisory_lock({LockKey})", cancellationToken) is true)
            {
                break;
            }
            if (options.Value.Follow && await ReadLeaderAsync(cancellationToken) is { } leader)
            {
                Follow(leader);
                return;
            }
            await ReportAsync("standby", cancellationToken);
            if (!standing)
            {
                StandingBy(logger, NodeId);
                standing = true;
            }
            await Task.Delay(options.Value.StandbyPoll, cancellationToken);
        }
        var term = await NewTermAsync(cancellationToken);
        fence.Enter(term);
        Volatile.Write(ref _role, (int)NodeRole.Leader);
        await ReportAsync("leader", cancellationToken);
        Volatile.Write(ref _validUntil, sent + (long)(timeout.TotalSeconds * Stopwatch.Frequency));
        Elected(logger, NodeId, term);
        _beating = BeatAsync(_stopping.Token);
    }

    /// Increments the term under the state row's lock, so that no commit of an earlier leader is
    /// half-way through, and records who leads.
    private async Task<long> NewTermAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await _connection!.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync("""SELECT 1 FROM dataspace_state WHERE "Id" = 1 FOR UPDATE""", cancellationToken);
        await using var command = new NpgsqlCommand("""
            UPDATE cluster_state SET "Term" = "Term" + 1, "LeaderNodeId" = @node, "LeaderUrl" = @url, "ElectedAt" = now()
            WHERE "Id" = 1 RETURNING "Term"
            """, _connection);
        command.Parameters.AddWithValue("node", NodeId);
        command.Parameters.AddWithValue("url", (object?)options.Value.AdvertisedUrl ?? DBNull.Value);
        var term = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        await transaction.CommitAsync(cancellationToken);
        return term;
    }

    /// Confirms the lock (a statement on its connection, which also keeps the session from
    /// idling out) every quarter of the timeout; a confirmation that fails or takes half the
    /// timeout ends the leadership.
    private async Task BeatAsync(CancellationToken stopping)
    {
        var timeout = options.Value.LockTimeout;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(timeout / 4, stopping);
                var sent = Stopwatch.GetTimestamp();
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                bounded.CancelAfter(timeout / 2);
                await ReportAsync("leader", bounded.Token);
                if (Stopwatch.GetElapsedTime(sent) < timeout && Volatile.Read(ref _steppedDown) == 0)
                {
                    Volatile.Write(ref _validUntil, sent + (long)(timeout.TotalSeconds * Stopwatch.Frequency));
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                StepDown($"its lock could not be confirmed ({error.Message})");
                return;
            }
        }
    }

    /// Leaves the lead: writes are refused from now on, and the process stops (exit code 75), so
    /// that its supervisor starts it again as a standby.
    public void StepDown(string reason)
    {
        Volatile.Write(ref _validUntil, 0);
        if (Interlocked.Exchange(ref _steppedDown, 1) == 0)
        {
            SteppedDown(logger, NodeId, fence.Term ?? 0, reason);
            Environment.ExitCode = 75;
            lifetime.StopApplication();
        }
    }

    /// Records this node in cluster_nodes (a statement on the lock's connection: for the leader it
    /// is also the confirmation that it still holds the lock, and keeps its session from idling out).
    private async Task ReportAsync(string role, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO cluster_nodes ("NodeId", "Url", "Role", "AppliedRevision", "LastSeen") VALUES (@node, @url, @role, @revision, now())
            ON CONFLICT ("NodeId") DO UPDATE SET "Url" = excluded."Url", "Role" = excluded."Role",
                "AppliedRevision" = excluded."AppliedRevision", "LastSeen" = excluded."LastSeen"
            """, _connection);
        command.Parameters.AddWithValue("node", NodeId);
        command.Parameters.AddWithValue("url", (object?)options.Value.AdvertisedUrl ?? DBNull.Value);
        command.Parameters.AddWithValue("role", role);
        command.Parameters.AddWithValue("revision", role == "standby" ? 0L : live.Revision);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// Whether a commit failed because the store's term is no longer this leader's (the fence of
    /// PostgresEquipDbContext.LockStateSql divides by zero).
    public static bool IsFenced(Exception error) =>
        error is PostgresException { SqlState: PostgresErrorCodes.DivisionByZero } || error.InnerException is PostgresException { SqlState: PostgresErrorCodes.DivisionByZero };

    private async Task<object?> ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, _connection);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _beating;
        await _watching;
        if (_connection is not null)
        {
            await _connection.DisposeAsync(); // releases the lock
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Cluster node {NodeId} stands by: another node leads. It takes over when that node's lock is released.", EventName = "ClusterStandby")]
    private static partial void StandingBy(ILogger logger, string nodeId);

    [LoggerMessage(2, LogLevel.Information, "Cluster node {NodeId} leads, in term {Term}.", EventName = "ClusterLeader")]
    private static partial void Elected(ILogger logger, string nodeId, long term);

    [LoggerMessage(3, LogLevel.Critical, "Cluster node {NodeId} steps down from term {Term}: {Reason}. It writes nothing more and stops.", EventName = "ClusterSteppedDown")]
    private static partial void SteppedDown(ILogger logger, string nodeId, long term, string reason);
}
