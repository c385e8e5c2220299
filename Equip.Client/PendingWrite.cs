using Equip.Protocol;

namespace Equip.Client;

/// An item this peer is responsible for, as the server last acknowledged it, with the lease it
/// was given (re-asserted with the same length).
internal sealed record OwnedItem(WireItem Item, double? LeaseSeconds);

/// One of the client's own changes, waiting to be sent in order.
internal sealed class PendingWrite(string method, object argument, Guid itemId, double? leaseSeconds)
{
    private readonly TaskCompletionSource<WireItem?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Method => method;

    public object Argument => argument;

    public Guid ItemId => itemId;

    public bool IsDelete => method == "Delete";

    /// A delete of an item this peer may no longer be responsible for (another peer re-added it):
    /// sent only while it is, at the revision last seen.
    public bool OnlyWhileOwned { get; init; }

    public double? LeaseSeconds => leaseSeconds;

    /// Sent at least once before: its outcome on the server may already have happened.
    public bool Retried { get; set; }

    public Task<WireItem?> Done => _done.Task;

    public void Succeed(WireItem? item) => _done.TrySetResult(item);

    public void Fail(Exception error) => _done.TrySetException(error);
}
