using Equip.Infrastructure.Cluster;
using Equip.Infrastructure.Components.Links;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;

namespace Equip.Web.Cluster;

/// Makes a follower of this node when Leadership found another leading (docs/scaling.md): loads
/// the replica from the store, connects to the leader, and starts serving once it has caught up
/// with the leader's stream (at most six lock timeouts after it connected). A stream that breaks
/// is resumed from the revision applied; a follower that cannot reach its leader for two lock
/// timeouts, or loses its write connection (the leader then disconnects its peers), restarts
/// (exit code 75), so that its devices go elsewhere and it comes back following whoever leads.
internal sealed partial class FollowerService(Leadership leadership, Replica replica, LeaderChannel channel, LinkStatuses linkStatuses,
    IOptions<ClusterOptions> options, IHostApplicationLifetime lifetime, ILogger<FollowerService> logger) : BackgroundService
{
    /// How often a follower fetches the leader's link statuses.
    private static readonly TimeSpan LinkStatusPeriod = TimeSpan.FromSeconds(1);

    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HubConnection? _stream;
    private Uri? _leader;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!leadership.Follows || leadership.Leader is not { } leader)
        {
            return;
        }
        _leader = new Uri(leader.Url);
        await replica.LoadAsync(leader.Term, cancellationToken);
        var within = options.Value.LockTimeout * 6;
        try
        {
            await RetryAsync(() => channel.StartAsync(_leader, cancellationToken), within, cancellationToken);
            channel.Lost += error =>
            {
                Restart($"its write connection to the leader closed ({error?.Message ?? "closed by the leader"})");
                return Task.CompletedTask;
            };
            await base.StartAsync(cancellationToken);
            await _caughtUp.Task.WaitAsync(within, cancellationToken);
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // The server does not start (a non-zero exit, before /health answers): its supervisor
            // starts it again, and it follows whoever leads by then.
            throw new InvalidOperationException(
                $"Cluster node {leadership.NodeId} could not follow its leader {leader.NodeId} at {leader.Url} within {within.TotalSeconds:0} s: {error.Message}", error);
        }
        CaughtUp(logger, leader.NodeId, replica.Revision);
    }

    protected override Task ExecuteAsync(CancellationToken stopping) => Task.WhenAll(FollowAsync(stopping), MirrorLinkStatusesAsync(stopping));

    private async Task MirrorLinkStatusesAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(LinkStatusPeriod);
        do
        {
            try
            {
                linkStatuses.Mirror(await channel.LinkStatusesAsync(stopping));
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The channel is down: the stream's side restarts the node if it stays down.
            }
        }
        while (await timer.WaitForNextTickAsync(stopping).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result));
    }

    private async Task FollowAsync(CancellationToken serviceStopping)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(serviceStopping, lifetime.ApplicationStopping);
        var stopping = either.Token; // no more tries once the node is on its way out
        var brokenSince = (DateTimeOffset?)null;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                _stream ??= channel.Connect(_leader!);
                if (_stream.State == HubConnectionState.Disconnected)
                {
                    await _stream.StartAsync(stopping);
                }
                await foreach (var batch in _stream.StreamAsync<ReplicatedBatch>("Follow", replica.FollowFrom, stopping))
                {
                    brokenSince = null;
                    if (!replica.Apply(batch))
                    {
                        Restart($"the stream carried a batch of term {batch.Term}, older than the term followed");
                        return;
                    }
                    _caughtUp.TrySetResult();
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                StreamBroke(logger, error.Message);
            }
            brokenSince ??= DateTimeOffset.UtcNow;
            if (DateTimeOffset.UtcNow - brokenSince > options.Value.LockTimeout * 2)
            {
                Restart("its stream from the leader could not be resumed within two lock timeouts");
                return;
            }
            await Task.Delay(options.Value.StandbyPoll, stopping);
        }
    }

    private static async Task RetryAsync(Func<Task> connect, TimeSpan within, CancellationToken cancellationToken)
    {
        var until = DateTimeOffset.UtcNow + within;
        while (true)
        {
            try
            {
                await connect();
                return;
            }
            catch (Exception) when (DateTimeOffset.UtcNow < until && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
    }

    private void Restart(string reason)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return;
        }
        Restarting(logger, leadership.NodeId, reason);
        Environment.ExitCode = 75;
        lifetime.StopApplication();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }
        await channel.DisposeAsync();
    }

    [LoggerMessage(1, LogLevel.Information, "Following {LeaderNodeId}: caught up at revision {Revision}; serving.", EventName = "FollowerCaughtUp")]
    private static partial void CaughtUp(ILogger logger, string leaderNodeId, long revision);

    [LoggerMessage(2, LogLevel.Warning, "The stream from the leader broke: {Reason}. Resuming from the revision applied.", EventName = "FollowerStreamBroke")]
    private static partial void StreamBroke(ILogger logger, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Cluster node {NodeId} restarts (exit code 75): {Reason}.", EventName = "FollowerRestarts")]
    private static partial void Restarting(ILogger logger, string nodeId, string reason);
}
