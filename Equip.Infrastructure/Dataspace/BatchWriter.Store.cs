using Equip.Infrastructure.Cluster;
using System.Diagnostics;
using Equip.Domain.Peers;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.Dataspace;

/// The writer's side of the store: a batch's commit (in one round trip where the provider can, else
/// in the batch's transaction), the flush beside the writer, and the transactions they open.
internal sealed partial class BatchWriter
{
    private async Task CommitAsync(WriteContext context, bool lowerCeiling, int writes)
    {
        var started = Stopwatch.GetTimestamp();
        var ceiling = lowerCeiling ? context.Revision : context.Revision + _steps.Next(context.Revision);
        var work = context.Store is null && _commitsAlone
            ? await CommitAloneAsync(context, ceiling)
            : await CommitInTransactionAsync(context, ceiling);
        _ceiling = ceiling;
        log.Append(context.Events);
        _unstored.Stored(work);
        metrics.Committed(Stopwatch.GetElapsedTime(started), writes);
    }

    /// No operation opened the store: the batch's writes are all StoreWriter's, in one round trip.
    private async Task<StoreWork> CommitAloneAsync(WriteContext context, long ceiling)
    {
        await WaitForFlushAsync(byOperation: false);
        var work = _unstored.Take(context.Revision, ceiling, context.PrunedThrough, context);
        await using var db = contexts.CreateDbContext();
        await StoreWriter.CommitAloneAsync(db, work, CancellationToken.None);
        return work;
    }

    /// The batch's own transaction (opened by an operation, or now): StoreWriter's rows, then what
    /// EF Core tracks (peers, keys, sessions), then COMMIT.
    private async Task<StoreWork> CommitInTransactionAsync(WriteContext context, long ceiling)
    {
        // A batch whose operations did not open the store takes the lock with its writes.
        var lockFirst = context.Store is null;
        var store = context.Store ?? context.Adopt(await OpenForBatchAsync(lockNow: false));
        var db = store.Db;
        var work = _unstored.Take(context.Revision, ceiling, context.PrunedThrough, context);
        await StoreWriter.WriteAsync(db, work, lockFirst, CancellationToken.None);
        db.ChangeTracker.DetectChanges();
        if (db.ChangeTracker.HasChanges())
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        try
        {
            await store.Transaction.CommitAsync(CancellationToken.None);
        }
        catch (Exception error)
        {
            throw new CommitOutcomeUnknownException(error);
        }
        var peersChanged = false;
        foreach (var peer in db.ChangeTracker.Entries<Peer>())
        {
            _peers[peer.Entity.PeerId] = peer.Entity;
            peersChanged = true;
        }
        if (peersChanged)
        {
            CountPeers();
        }
        return work;
    }

    /// Stores what was written behind in a transaction of its own, beside the writer; its
    /// outcome is taken in on the writer's thread.
    private async Task<FlushOutcome> FlushAsync(StoreWork work)
    {
        var started = Stopwatch.GetTimestamp();
        StoreTransaction? store = null;
        try
        {
            if (_commitsAlone)
            {
                await using var alone = contexts.CreateDbContext();
                await StoreWriter.CommitAloneAsync(alone, work, CancellationToken.None);
            }
            else
            {
                store = await OpenAsync(lockNow: false, CancellationToken.None);
                await StoreWriter.WriteAsync(store.Db, work, lockFirst: true, CancellationToken.None);
                await store.Transaction.CommitAsync(CancellationToken.None);
            }
            metrics.Committed(Stopwatch.GetElapsedTime(started), 0);
            return new FlushOutcome(work, Stored: true);
        }
        catch (Exception error)
        {
            if (Leadership.IsFenced(error))
            {
                leadership.StepDown("another node has started a newer term");
            }
            // Not stored, or perhaps stored: either way it stays unstored, and is written again.
            DataspaceWriterLog.FlushFailed(logger, error);
            return new FlushOutcome(work, Stored: false);
        }
        finally
        {
            if (store is not null)
            {
                await store.DisposeAsync();
            }
        }
    }

    /// The batch's transaction, once the flush under way is done: the store takes its writes in
    /// revision order, and the flush would wait for the lock the batch holds.
    private async Task<StoreTransaction> OpenForBatchAsync(bool lockNow)
    {
        await WaitForFlushAsync(byOperation: lockNow);
        return await OpenAsync(lockNow, CancellationToken.None);
    }

    private async Task WaitForFlushAsync(bool byOperation)
    {
        if (_flushing is { } flushing)
        {
            var started = Stopwatch.GetTimestamp();
            await flushing;
            metrics.WaitedForFlush(Stopwatch.GetElapsedTime(started), byOperation);
            TakeFinishedFlush();
        }
    }

    /// A transaction holding the state row's lock now, or (lockNow false) once its first write takes it.
    private async Task<StoreTransaction> OpenAsync(bool lockNow, CancellationToken cancellationToken)
    {
        var db = contexts.CreateDbContext();
        try
        {
            db.ChangeTracker.AutoDetectChangesEnabled = false; // detected once, before saving
            db.Database.AutoSavepointsEnabled = false; // the whole transaction fails or commits: a savepoint is a round trip for nothing
            var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (lockNow)
            {
                await db.LockStateAsync(cancellationToken);
            }
            return new StoreTransaction(db, transaction);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    private sealed record FlushOutcome(StoreWork Work, bool Stored);
}
