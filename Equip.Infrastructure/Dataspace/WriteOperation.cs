using Equip.Domain.Peers;

namespace Equip.Infrastructure.Dataspace;

/// One write waiting for the writer. Its effect is applied inside a shared transaction and its
/// caller is answered only after that transaction commits.
internal interface IWriteOperation
{
    bool IsAnswered { get; }

    /// What the operation will read, so that a transaction fetches it for all its operations at once.
    Reads Reads { get; }

    Task ApplyAsync(WriteContext context, CancellationToken cancellationToken);

    void Succeed();

    void Fail(Exception error);
}

internal abstract class WriteOperation<TResult> : IWriteOperation
{
    private readonly TaskCompletionSource<TResult> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TResult? _result;

    public Task<TResult> Answer => _answer.Task;

    public bool IsAnswered => _answer.Task.IsCompleted;

    public virtual Reads Reads => Reads.Nothing;

    public async Task ApplyAsync(WriteContext context, CancellationToken cancellationToken) =>
        _result = await RunAsync(context, cancellationToken);

    public void Succeed() => _answer.TrySetResult(_result!);

    public void Fail(Exception error) => _answer.TrySetException(error);

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
