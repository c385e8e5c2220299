using System.Threading.Channels;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Peers;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.Dataspace;

/// The one writer of the store. Writes that arrive while a transaction commits wait together and
/// go into the next one (group commit), so many writers share each flush to disk.
internal sealed class WriteQueue : BackgroundService
{
    private readonly Channel<IWriteOperation> _pending;
    private readonly IDbContextFactory<EquipDbContext> _contexts;
    private readonly ChangeBroadcaster _broadcaster;
    private readonly PeerBroadcaster _peerBroadcaster;
    private readonly TimeProvider _time;
    private readonly ILogger<WriteQueue> _logger;
    private readonly int _maxBatch;

    public WriteQueue(
        IDbContextFactory<EquipDbContext> contexts,
        ChangeBroadcaster broadcaster,
        PeerBroadcaster peerBroadcaster,
        TimeProvider time,
        IOptions<DatabaseOptions> options,
        ILogger<WriteQueue> logger)
    {
        _contexts = contexts;
        _broadcaster = broadcaster;
        _peerBroadcaster = peerBroadcaster;
        _time = time;
        _logger = logger;
        _maxBatch = options.Value.GroupCommit ? options.Value.MaxBatchSize : 1;
        _pending = Channel.CreateBounded<IWriteOperation>(new BoundedChannelOptions(options.Value.WriteQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public async Task<TResult> EnqueueAsync<TResult>(WriteOperation<TResult> operation, CancellationToken cancellationToken)
    {
        try
        {
            await _pending.Writer.WriteAsync(operation, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new ServiceStoppingException();
        }
        // Once queued, the write happens even if the caller stops waiting: never leave it half-known.
        return await operation.Answer.WaitAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _pending.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<IWriteOperation>(_maxBatch);
        // Drains what was queued before stopping: every accepted write is answered.
        while (await _pending.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < _maxBatch && _pending.Reader.TryRead(out var operation))
            {
                batch.Add(operation);
            }
            await CommitAsync(batch);
            batch.Clear();
        }
    }

    private async Task CommitAsync(List<IWriteOperation> batch)
    {
        try
        {
            await RunTransactionAsync(batch);
        }
        catch (CommitOutcomeUnknownException unknown)
        {
            // The database may have committed: retrying could apply the writes twice.
            WriteQueueLog.CommitOutcomeUnknown(_logger, batch.Count, unknown.InnerException!);
            batch.ForEach(operation => operation.Fail(unknown));
        }
        catch (Exception error) when (batch.Count > 1)
        {
            // One write the database refused must not take its neighbours down: retry each alone.
            WriteQueueLog.BatchFailed(_logger, batch.Count, error);
            foreach (var operation in batch.Where(o => !o.IsAnswered))
            {
                await CommitAloneAsync(operation);
            }
        }
        catch (Exception error)
        {
            batch[0].Fail(error);
        }
    }

    private async Task CommitAloneAsync(IWriteOperation operation)
    {
        try
        {
            await RunTransactionAsync([operation]);
        }
        catch (Exception error)
        {
            WriteQueueLog.WriteFailed(_logger, error);
            operation.Fail(error);
        }
    }

    private async Task RunTransactionAsync(IReadOnlyList<IWriteOperation> operations)
    {
        await using var db = _contexts.CreateDbContext();
        db.ChangeTracker.AutoDetectChangesEnabled = false; // WriteContext.SaveAsync detects them once
        await using var transaction = await db.Database.BeginTransactionAsync();
        var state = await db.LockStateAsync(CancellationToken.None);
        var context = new WriteContext(db, state, StoredTime.Now(_time));
        await context.PrefetchAsync([.. operations.Select(o => o.Reads)], CancellationToken.None);
        var applied = new List<IWriteOperation>(operations.Count);
        foreach (var operation in operations)
        {
            try
            {
                await operation.ApplyAsync(context, CancellationToken.None);
                applied.Add(operation);
            }
            catch (DataspaceException refused)
            {
                operation.Fail(refused);
            }
        }
        await context.SaveAsync(CancellationToken.None);
        try
        {
            await transaction.CommitAsync();
        }
        catch (Exception error)
        {
            throw new CommitOutcomeUnknownException(error);
        }
        _broadcaster.Publish(context.Events);
        _peerBroadcaster.Publish([.. db.ChangeTracker.Entries<Peer>().SelectMany(e => e.Entity.TakeTransitions())]);
        foreach (var operation in applied)
        {
            operation.Succeed();
        }
    }
}

public sealed class ServiceStoppingException() : Exception("The server is stopping and takes no more writes.");

/// The commit itself failed, so whether the writes are stored is unknown; a client that supplied
/// ids can find out by reading them back.
public sealed class CommitOutcomeUnknownException(Exception inner)
    : Exception("The store failed while committing; the write may or may not have been stored.", inner);
