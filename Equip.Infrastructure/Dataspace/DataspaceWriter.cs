using System.Diagnostics;
using System.Threading.Channels;
using Equip.Infrastructure.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.Dataspace;

/// The one writer of the dataspace. Writes that arrive while a batch runs wait together and go
/// into the next one (group commit), so many writers share each flush to disk. Changes written
/// behind are stored by a flush that runs beside the writer, FlushInterval after the oldest of
/// them (or with the next commit): values keep flowing while the store writes.
internal sealed class DataspaceWriter : BackgroundService
{
    private readonly Channel<IWriteOperation> _pending;
    private readonly BatchWriter _writer;
    private readonly int _maxBatch;
    private readonly TimeSpan _flushInterval;
    private readonly Timer _flushTimer;
    private int _timerArmed;

    public DataspaceWriter(BatchWriter writer, IOptions<DatabaseOptions> options)
    {
        _writer = writer;
        _maxBatch = options.Value.GroupCommit ? options.Value.MaxBatchSize : 1;
        _flushInterval = options.Value.FlushInterval;
        _pending = Channel.CreateBounded<IWriteOperation>(new BoundedChannelOptions(options.Value.WriteQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _flushTimer = new Timer(_ =>
        {
            Volatile.Write(ref _timerArmed, 0);
            Wake();
        });
    }

    public async Task<TResult> EnqueueAsync<TResult>(WriteOperation<TResult> operation, CancellationToken cancellationToken)
    {
        await QueueAsync(operation, cancellationToken);
        // Once queued, the write happens even if the caller stops waiting: never leave it half-known.
        return await operation.Answer.WaitAsync(cancellationToken);
    }

    /// Queues the operation (waiting while the queue is full) without waiting for its answer.
    public async ValueTask QueueAsync(IWriteOperation operation, CancellationToken cancellationToken)
    {
        if (_pending.Writer.TryWrite(operation))
        {
            return;
        }
        try
        {
            await _pending.Writer.WriteAsync(operation, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new ServiceStoppingException();
        }
    }

    /// The live items are loaded before anything can read or write them.
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await _writer.LoadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _pending.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _flushTimer.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<IWriteOperation>(_maxBatch);
        // Drains what was queued before stopping: every accepted write is answered.
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatch && _pending.Reader.TryRead(out var operation))
            {
                if (operation != WakeUp.Instance)
                {
                    batch.Add(operation);
                }
            }
            if (batch.Count > 0)
            {
                await _writer.RunAsync(batch);
                batch.Clear();
            }
            ScheduleFlush();
        }
        await _writer.StopAsync();
    }

    /// A flush that finished is taken in; what is written behind is flushed once due, one flush
    /// at a time, and the loop is woken when that is, or when the flush finishes.
    private void ScheduleFlush()
    {
        _writer.TakeFinishedFlush();
        if (_writer.IsFlushing || _writer.UnstoredSince is not { } since)
        {
            return;
        }
        var due = _flushInterval - Stopwatch.GetElapsedTime(since);
        if (due <= TimeSpan.Zero)
        {
            _writer.StartFlush().ContinueWith(_ => Wake(), TaskScheduler.Default);
        }
        else if (Interlocked.Exchange(ref _timerArmed, 1) == 0)
        {
            _flushTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    /// Wakes the loop to look at the flush (when the queue is full it is awake anyway).
    private void Wake() => _pending.Writer.TryWrite(WakeUp.Instance);

    /// Queued to wake the writer's loop; not a write.
    private sealed class WakeUp : IWriteOperation
    {
        public static readonly WakeUp Instance = new();

        public bool IsAnswered => true;

        public Reads Reads => Reads.Nothing;

        public ValueTask ApplyAsync(WriteContext context, CancellationToken cancellationToken) => default;

        public void Succeed()
        {
        }

        public void Fail(Exception error)
        {
        }
    }
}

public sealed class ServiceStoppingException() : Exception("The server is stopping and takes no more writes.");

/// The commit itself failed, so whether the writes are stored is unknown; a client that supplied
/// ids can find out by reading them back.
public sealed class CommitOutcomeUnknownException(Exception inner)
    : Exception("The store failed while committing; the write may or may not have been stored.", inner);
