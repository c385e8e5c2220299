using Equip.Domain.Peers;

namespace Equip.Infrastructure.Dataspace;

/// One write waiting for the writer. Its effect is applied inside a shared transaction and its
/// caller is answered only after that transaction commits (or, when it changed nothing the
/// store must have first, once the batch is applied).
internal interface IWriteOperation
{
    bool IsAnswered { get; }

    /// What the operation will read, so that a transaction fetches it for all its operations at once.
    Reads Reads { get; }

    ValueTask ApplyAsync(WriteContext context, CancellationToken cancellationToken);

    void Succeed();

    void Fail(Exception error);
}

internal abstract class WriteOperation<TResult> : IWriteOperation
{
    private readonly TaskCompletionSource<TResult> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private protected TResult? Result;

    public Task<TResult> Answer => _answer.Task;

    public bool IsAnswered => _answer.Task.IsCompleted;

    public virtual Reads Reads => Reads.Nothing;

    public abstract ValueTask ApplyAsync(WriteContext context, CancellationToken cancellationToken);

    public virtual void Succeed() => _answer.TrySetResult(Result!);

    public virtual void Fail(Exception error) => _answer.TrySetException(error);
}

/// A write that needs nothing but the live items: it runs on the writer's thread without waiting.
internal abstract class MemoryOperation<TResult> : WriteOperation<TResult>
{
    public sealed override ValueTask ApplyAsync(WriteContext context, CancellationToken cancellationToken)
    {
        Result = Run(context);
        return default;
    }

    /// Must check everything that can refuse the write before changing anything or taking a revision.
    protected abstract TResult Run(WriteContext context);
}

/// A write that reads or changes the store (peers, the stored change log): the batch commits.
internal abstract class StoreOperation<TResult> : WriteOperation<TResult>
{
    public sealed override async ValueTask ApplyAsync(WriteContext context, CancellationToken cancellationToken) =>
        Result = await RunAsync(context, cancellationToken);

    /// Must check everything that can refuse the write before changing anything or taking a revision.
    protected abstract Task<TResult> RunAsync(WriteContext context, CancellationToken cancellationToken);
}

/// The peer record an operation changes, so that a batch reads them all in one query.
internal sealed record Reads(string? Peer)
{
    public static Reads Nothing { get; } = new((string?)null);

    public static Reads PeerOf(PeerActor actor) => new(actor.PeerId);

    public static Reads PeerOf(string peerId) => new(peerId);
}
