using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using System.Diagnostics;
using Equip.Infrastructure.Dataspace.Live;
using Equip.Infrastructure.Observability;
using Equip.Infrastructure.Peers;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Equip.Infrastructure.Dataspace;

/// Runs the write queue's batches: applies the operations to copies of the live items, then
/// either commits (the batch touched a persistent item, a peer or the stored log), taking every
/// change written behind so far into the same transaction, or defers the batch to the next commit
/// (changes to process-bound items and unreliable values). Either way the live items, the feed
/// and the callers learn of the batch only once it holds. Only the write queue's loop calls it.
internal sealed class BatchWriter(
    IDbContextFactory<EquipDbContext> contexts,
    LiveItems live,
    LiveLog log,
    ChangeBroadcaster broadcaster,
    IValueRouting routing,
    PeerBroadcaster peerBroadcaster,
    TimeProvider time,
    EquipMetrics metrics,
    ILogger<WriteQueue> logger)
{
    /// Revisions handed out between two commits, at most, before a commit must move the ceiling.
    internal const long CeilingStep = 100_000;

    private readonly WriteBehind _behind = new();
    private Dictionary<string, Peer> _peers = [];
    private long _revision;
    private long _ceiling;
    private KeyValuePair<string, int>[] _peerCounts = [];

    public WriteBehind Behind => _behind;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var loaded = await StoreLoader.LoadAsync(contexts, cancellationToken);
        _revision = loaded.Revision;
        _ceiling = loaded.Revision;
        _peers = loaded.Peers.ToDictionary(p => p.PeerId);
        CountPeers();
        metrics.Observe(live.CountsByType, () => Volatile.Read(ref _peerCounts));
        live.Load(loaded.Items, loaded.Revision);
        log.Load(loaded.Revision, loaded.PrunedThrough, loaded.Gaps);
        _behind.Load(loaded.Items.Select(i => i.Id));
    }

    public async Task RunAsync(List<IWriteOperation> batch)
    {
        try
        {
            await RunBatchAsync(batch);
        }
        catch (Exception error) when (batch.Count > 1 && error is not CommitOutcomeUnknownException)
        {
            // One write the database refused must not take its neighbours down: retry each alone.
            WriteQueueLog.BatchFailed(logger, batch.Count, error);
            foreach (var operation in batch.Where(o => !o.IsAnswered))
            {
                try
                {
                    await RunBatchAsync([operation]);
                }
                catch (Exception alone) when (alone is not CommitOutcomeUnknownException)
                {
                    WriteQueueLog.WriteFailed(logger, alone);
                    operation.Fail(alone);
                }
            }
        }
        catch (Exception error) when (error is not CommitOutcomeUnknownException)
        {
            batch[0].Fail(error);
        }
    }

    /// Stores what was written behind (at stop: and lowers the ceiling to the last revision, so
    /// that a clean restart leaves no gap).
    public async Task FlushAsync(bool final)
    {
        try
        {
            await RunBatchAsync([], flush: true, final);
        }
        catch (Exception error)
        {
            WriteQueueLog.FlushFailed(logger, error);
        }
    }

    private async Task RunBatchAsync(IReadOnlyList<IWriteOperation> batch, bool flush = false, bool final = false)
    {
        var context = new WriteContext(live, log, _peers, OpenAsync, _revision, log.PrunedThrough, StoredTime.Now(time));
        try
        {
            var peers = batch.Select(o => o.Reads.Peer).OfType<string>().Distinct().ToList();
            if (peers.Count > 0)
            {
                await context.PrefetchPeersAsync(peers, CancellationToken.None);
            }
            var applied = new List<IWriteOperation>(batch.Count);
            foreach (var operation in batch)
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
            routing.Carry(context, firstEvent: 0);
            var changes = context.Changes();
            if (flush || context.MustCommit(changes) || context.Revision > _ceiling)
            {
                await CommitAsync(context, changes, lowerCeiling: final, batch.Count);
            }
            else
            {
                Defer(context, changes);
            }
            Publish(context, changes);
            applied.ForEach(o => o.Succeed());
        }
        catch (CommitOutcomeUnknownException unknown)
        {
            // The store may have the batch: keep it, and write it again (checking first) with the next commit.
            WriteQueueLog.CommitOutcomeUnknown(logger, batch.Count, unknown.InnerException!);
            var changes = context.Changes();
            Defer(context, changes);
            _behind.Distrust();
            Publish(context, changes);
            foreach (var operation in batch)
            {
                operation.Fail(unknown);
            }
        }
        finally
        {
            if (context.Store is { } store)
            {
                await store.DisposeAsync();
            }
        }
    }

    private async Task CommitAsync(WriteContext context, List<ItemChange> changes, bool lowerCeiling, int writes)
    {
        var started = Stopwatch.GetTimestamp();
        var db = await context.DbAsync(CancellationToken.None);
        var store = context.Store!;
        await _behind.WriteToAsync(db, changes, context.Values, CancellationToken.None);
        var events = log.Unflushed();
        events.AddRange(context.Events);
        var stored = await _behind.StoredRevisionsAsync(db, events, CancellationToken.None);
        db.ChangeLog.AddRange(events.Where(e => !stored.Contains(e.Revision)).Select(ChangeLogEntry.From));
        var ceiling = lowerCeiling ? context.Revision : context.Revision + CeilingStep;
        store.State.CurrentRevision = context.Revision;
        store.State.RevisionCeiling = ceiling;
        store.State.PrunedThrough = context.PrunedThrough;
        db.Entry(store.State).State = EntityState.Modified; // the whole row, whatever it held
        db.ChangeTracker.DetectChanges();
        await db.SaveChangesAsync(CancellationToken.None);
        try
        {
            await store.Transaction.CommitAsync(CancellationToken.None);
        }
        catch (Exception error)
        {
            throw new CommitOutcomeUnknownException(error);
        }
        _ceiling = ceiling;
        _behind.Committed();
        log.MarkFlushed(context.Revision, context.PrunedThrough);
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
        metrics.Committed(Stopwatch.GetElapsedTime(started), writes);
    }

    private void CountPeers() =>
        Volatile.Write(ref _peerCounts, [.. _peers.Values.GroupBy(p => p.State).Select(g => KeyValuePair.Create(g.Key.ToString().ToLowerInvariant(), g.Count()))]);

    /// The batch is answered without a commit: the next one stores it.
    private void Defer(WriteContext context, List<ItemChange> changes)
    {
        _behind.Defer(changes, context.Values);
        log.Append(context.Events);
    }

    /// Makes the batch visible: the live items first, then the feed.
    private void Publish(WriteContext context, List<ItemChange> changes)
    {
        _revision = context.Revision;
        live.Apply(changes.Select(c => KeyValuePair.Create(c.Id, c.Current)), context.Values, context.Revision);
        broadcaster.Publish(context.Events);
        metrics.Published(context.Events.Count);
        if (context.Store is { } store)
        {
            peerBroadcaster.Publish([.. store.Db.ChangeTracker.Entries<Peer>().SelectMany(e => e.Entity.TakeTransitions())]);
        }
    }

    private async Task<StoreTransaction> OpenAsync(CancellationToken cancellationToken)
    {
        var db = contexts.CreateDbContext();
        try
        {
            db.ChangeTracker.AutoDetectChangesEnabled = false; // detected once, before saving
            var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.LockStateAsync(cancellationToken);
            var state = new DataspaceState();
            db.State.Attach(state);
            return new StoreTransaction(db, state, transaction);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }
}
