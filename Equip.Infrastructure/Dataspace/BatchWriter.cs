using Equip.Infrastructure.Cluster;
using System.Diagnostics;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Dataspace.Live;
using Equip.Infrastructure.Observability;
using Equip.Infrastructure.Peers;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Equip.Infrastructure.Dataspace;

/// Runs the writer's batches: applies the operations to the batch's view of the live items,
/// carries the values they changed along the links, then either commits (the batch touched a
/// persistent item, a peer or the stored log), taking everything not stored yet into the same
/// transaction, or leaves the batch to a flush (changes to process-bound items and values).
/// Either way the live items, the feed and the callers learn of the batch only once it holds.
/// Flushes run beside the writer on a StoreWork taken from Unstored; a commit waits for the one
/// under way, so the store's writes stay in revision order. Only the writer's loop calls it.
internal sealed partial class BatchWriter(
    IDbContextFactory<EquipDbContext> contexts,
    LiveItems live,
    LiveLog log,
    ChangeBroadcaster broadcaster,
    IValueRouting routing,
    PeerBroadcaster peerBroadcaster,
    TimeProvider time,
    EquipMetrics metrics,
    Leadership leadership,
    ILogger<DataspaceWriter> logger)
{
    private readonly Unstored _unstored = new(log);
    private Dictionary<string, Peer> _peers = [];
    private long _revision;
    private long _ceiling;
    private readonly CeilingSteps _steps = new();
    private KeyValuePair<string, int>[] _peerCounts = [];
    private Task<FlushOutcome>? _flushing;
    private readonly bool _commitsAlone = StoreWriter.CommitsAlone(contexts);

    /// When the oldest change not stored yet was applied (a Stopwatch timestamp), or null.
    public long? UnstoredSince => _unstored.Since;

    public bool IsFlushing => _flushing is not null;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var loaded = await StoreLoader.LoadAsync(contexts, log.Window, cancellationToken);
        _revision = loaded.Revision;
        _ceiling = loaded.Revision;
        _steps.Load(loaded.Revision);
        _peers = loaded.Peers.ToDictionary(p => p.PeerId);
        CountPeers();
        metrics.Observe(live.CountsByType, () => Volatile.Read(ref _peerCounts));
        if (leadership.Enabled)
        {
            RestartLeases(loaded.Items, time.GetUtcNow());
        }
        live.Load(loaded.Items, loaded.Revision);
        log.Load(loaded.Revision, loaded.PrunedThrough, loaded.Recent, loaded.Gaps);
    }

    /// A cluster's new leader restarts every lease, as etcd does at an election (docs/scaling.md):
    /// no device could renew one while no node led, so none runs out for that. The restarted
    /// expiries live in memory until each item's next write; a leader elected after this one
    /// restarts them again.
    private static void RestartLeases(IEnumerable<Item> items, DateTimeOffset now)
    {
        foreach (var item in items.Where(i => i.LeaseDuration is not null))
        {
            item.RestartLease(now);
        }
    }

    public async Task RunAsync(List<IWriteOperation> batch)
    {
        if (!leadership.Holds)
        {
            // A cluster's leader that could not confirm its lock in time (docs/scaling.md): nothing
            // more is applied, answered or delivered.
            leadership.StepDown("its lock was not confirmed within Equip:Cluster:LockTimeout");
            foreach (var operation in batch)
            {
                operation.Fail(new ServiceStoppingException());
            }
            return;
        }
        try
        {
            await RunBatchAsync(batch);
        }
        catch (Exception error) when (Leadership.IsFenced(error))
        {
            leadership.StepDown("another node has started a newer term");
            foreach (var operation in batch.Where(o => !o.IsAnswered))
            {
                operation.Fail(new ServiceStoppingException());
            }
        }
        catch (Exception error) when (batch.Count > 1 && error is not CommitOutcomeUnknownException)
        {
            // One write the database refused must not take its neighbours down: retry each alone.
            DataspaceWriterLog.BatchFailed(logger, batch.Count, error);
            foreach (var operation in batch.Where(o => !o.IsAnswered))
            {
                try
                {
                    await RunBatchAsync([operation]);
                }
                catch (Exception alone) when (alone is not CommitOutcomeUnknownException)
                {
                    DataspaceWriterLog.WriteFailed(logger, alone);
                    operation.Fail(alone);
                }
            }
        }
        catch (Exception error) when (error is not CommitOutcomeUnknownException)
        {
            batch[0].Fail(error);
        }
    }

    /// Starts storing what is written behind, beside the writer; TakeFinishedFlush takes the outcome.
    public Task StartFlush()
    {
        var work = _unstored.Take(_revision, _revision + _steps.Next(_revision), log.PrunedThrough);
        _flushing = Task.Run(() => FlushAsync(work));
        return _flushing;
    }

    /// Takes in the outcome of a flush that has finished (nothing while one runs).
    public void TakeFinishedFlush()
    {
        if (_flushing is not { IsCompleted: true } flushing)
        {
            return;
        }
        _flushing = null;
        var outcome = flushing.Result;
        if (outcome.Stored)
        {
            _ceiling = outcome.Work.Ceiling;
            _unstored.Stored(outcome.Work);
        }
    }

    /// At stop: after the flush under way, stores what is left and lowers the ceiling to the last
    /// revision, so that a clean restart leaves no gap.
    public async Task StopAsync()
    {
        if (_flushing is { } flushing)
        {
            await flushing;
            TakeFinishedFlush();
        }
        try
        {
            await RunBatchAsync([], final: true);
        }
        catch (Exception error)
        {
            DataspaceWriterLog.FlushFailed(logger, error);
        }
    }

    private async Task RunBatchAsync(IReadOnlyList<IWriteOperation> batch, bool final = false)
    {
        var context = new WriteContext(live, log, _peers, _ => OpenForBatchAsync(lockNow: true), _revision, log.PrunedThrough, StoredTime.Now(time));
        // Each operation's answer, given in the batch's order once it holds (a connection's
        // SetValues are acknowledged in the order sent, refused or not).
        var answers = new List<(IWriteOperation Operation, DataspaceException? Refused)>(batch.Count);
        try
        {
            var peers = batch.Select(o => o.Reads.Peer).OfType<string>().Distinct().ToList();
            if (peers.Count > 0)
            {
                await context.PrefetchPeersAsync(peers, CancellationToken.None);
            }
            foreach (var operation in batch)
            {
                try
                {
                    await operation.ApplyAsync(context, CancellationToken.None);
                    answers.Add((operation, null));
                }
                catch (DataspaceException refused)
                {
                    answers.Add((operation, refused));
                }
            }
            routing.Carry(context, firstEvent: 0);
            var changes = context.Changes();
            if (final || context.MustCommit(changes) || context.Revision > _ceiling)
            {
                await CommitAsync(context, lowerCeiling: final, batch.Count);
            }
            else
            {
                _unstored.Defer(changes, context.Values, context.Events);
            }
            Publish(context, changes);
            foreach (var (operation, refused) in answers)
            {
                if (refused is null)
                {
                    operation.Succeed();
                }
                else
                {
                    operation.Fail(refused);
                }
            }
        }
        catch (CommitOutcomeUnknownException unknown)
        {
            // The store may have the batch: keep it, and write it again later (written again, it
            // is the same rows and entries).
            DataspaceWriterLog.CommitOutcomeUnknown(logger, batch.Count, unknown.InnerException!);
            var changes = context.Changes();
            _unstored.Defer(changes, context.Values, context.Events);
            Publish(context, changes);
            foreach (var (operation, refused) in answers)
            {
                operation.Fail(refused ?? (Exception)unknown);
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

    private void CountPeers() =>
        Volatile.Write(ref _peerCounts, [.. _peers.Values.GroupBy(p => p.State).Select(g => KeyValuePair.Create(g.Key.ToString().ToLowerInvariant(), g.Count()))]);

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

}
