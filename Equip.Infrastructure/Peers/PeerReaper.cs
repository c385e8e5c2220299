using Equip.Domain.Peers;
using Equip.Infrastructure.Dataspace;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.Peers;

/// Marks the previous run's associations as failed at start-up, then ends the sessions of
/// reconnecting peers whose grace period is over (their process-bound items deleted, reason bound).
internal sealed class PeerReaper(
    IDbContextFactory<EquipDbContext> contexts,
    DataspaceWriter writes,
    IOptions<PeerOptions> options,
    TimeProvider time,
    ServerLifeMark life,
    ILogger<PeerReaper> logger) : PeriodicService(options.Value.ReapInterval, time)
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var recovered = await writes.EnqueueAsync(new RecoverPeersOperation(life.PreviousRunLastAlive), cancellationToken);
        if (recovered > 0) // a first start, or a restart with no device connected, has nobody to wait for
        {
            PeerReaperLog.Recovered(logger, recovered);
        }
        await base.StartAsync(cancellationToken);
    }

    protected override void OnTickFailed(Exception error) => PeerReaperLog.Failed(logger, error);

    protected override async Task TickAsync(CancellationToken cancellationToken)
    {
        var graceEndedBefore = Time.GetUtcNow() - options.Value.DisconnectGrace;
        List<string> candidates;
        await using (var db = contexts.CreateDbContext())
        {
            candidates = await db.Peers.AsNoTracking()
                .Where(p => p.State == PeerState.Reconnecting && p.ReconnectingSince <= graceEndedBefore)
                .Select(p => p.PeerId)
                .ToListAsync(cancellationToken);
        }
        if (candidates.Count > 0)
        {
            var ended = await writes.EnqueueAsync(new ReapPeersOperation(candidates, options.Value.DisconnectGrace), cancellationToken);
            PeerReaperLog.Ended(logger, ended);
        }
    }
}

internal static partial class PeerReaperLog
{
    [LoggerMessage(1, LogLevel.Information, "{Count} peers connected before the restart are reconnecting.")]
    public static partial void Recovered(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Information, "Ended the sessions of {Count} peers whose grace period was over.")]
    public static partial void Ended(ILogger logger, int count);

    [LoggerMessage(3, LogLevel.Error, "Ending expired peer sessions failed; trying again at the next interval.")]
    public static partial void Failed(ILogger logger, Exception error);
}
