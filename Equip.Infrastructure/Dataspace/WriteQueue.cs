using System.Diagnostics;
using System.Threading.Channels;
using Equip.Infrastructure.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.Dataspace;

/// The one writer of the dataspace. Writes that arrive while a batch runs wait together and go
/// into the next one (group commit), so many writers share each flush to disk; changes written
/// behind are stored at the next commit, or within FlushInterval when no commit comes.
internal sealed class WriteQueue : BackgroundService
{
    private readonly Channel<IWriteOperation> _pending;
    private readonly BatchWriter _writer;
    private readonly int _maxBatch;
    private readonly TimeSpan _flushInterval;
    private Task<bool>? _waiting;

    public WriteQueue(BatchWriter writer, IOptions<DatabaseOptions> options)
    {
        _writer = writer;
        _maxBatch = options.Value.GroupCommit ? options.Value.MaxBatchSize : 1;
        _flushInterval = options.Value.FlushInterval;
        _pending = Channel.CreateBounded<IWriteOperation>(new BoundedChannelOptions(options.Value.WriteQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<IWriteOperation>(_maxBatch);
        // Drains what was queued before stopping: every accepted write is answered.
        while (await WaitAsync())
        {
            while (batch.Count < _maxBatch && _pending.Reader.TryRead(out var operation))
            {
                batch.Add(operation);
            }
            if (batch.Count > 0)
            {
                await _writer.RunAsync(batch);
                batch.Clear();
            }
            if (_writer.Behind.Since is { } since && Stopwatch.GetElapsedTime(since) >= _flushInterval)
            {
                await _writer.FlushAsync(final: false);
            }
        }
        await _writer.FlushAsync(final: true);
    }

    /// Until a write is queued (true) or the queue is closed and empty (false); while changes
    /// wait to be written behind, at most until their flush is due (true).
    private async Task<bool> WaitAsync()
    {
        _waiting ??= _pending.Reader.WaitToReadAsync().AsTask();
        if (!_waiting.IsCompleted && _writer.Behind.Since is { } since)
        {
            var due = _flushInterval - Stopwatch.GetElapsedTime(since);
            if (due > TimeSpan.Zero)
            {
                await Task.WhenAny(_waiting, Task.Delay(due));
            }
            if (!_waiting.IsCompleted)
            {
                return true;
            }
        }
        var ready = await _waiting;
        _waiting = null;
        return ready;
    }
}

public sealed class ServiceStoppingException() : Exception("The server is stopping and takes no more writes.");

/// The commit itself failed, so whether the writes are stored is unknown; a client that supplied
/// ids can find out by reading them back.
public sealed class CommitOutcomeUnknownException(Exception inner)
    : Exception("The store failed while committing; the write may or may not have been stored.", inner);
