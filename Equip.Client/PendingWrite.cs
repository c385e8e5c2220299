using Equip.Protocol;

namespace Equip.Client;

/// An item this peer is responsible for, as the server last acknowledged it, with the lease it
/// was given (re-asserted with the same length).
internal sealed record OwnedItem(WireItem Item, double? LeaseSeconds);

/// One of the client's own changes, waiting to be sent in order.
internal sealed class PendingWrite(string method, object argument, Guid itemId, double? leaseSeconds)
{
    private readonly TaskCompletionSource<WireItem?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private List<PendingWrite>? _superseded;

    public string Method => method;

    public object Argument => argument;

    public Guid ItemId => itemId;

    public bool IsDelete => method == HubNames.Delete;

    /// A delete of an item this peer may no longer be responsible for (another peer re-added it):
    /// sent only while it is, at the revision last seen.
    public bool OnlyWhileOwned { get; init; }

    public double? LeaseSeconds => leaseSeconds;

    /// Its place in the order writes were queued in (given when queued).
    public long Sequence { get; set; }

    /// The connection it is on its way over (set and cleared under the queue's lock), or null.
    public object? Carrier { get; set; }

    /// Sent at least once before: its outcome on the server may already have happened.
    public bool Retried { get; set; }

    public Task<WireItem?> Done => _done.Task;

    /// A high-rate value update with no revision check: a later one of the same item may take its
    /// place in the queue (the receiver of such values gets only the latest when it lags, and a
    /// client that has not sent yet is lagging).
    public bool IsSquashable => argument is UpdateRequest { Unreliable: true, ExpectedRevision: null };

    /// Takes the place of an older queued update of the same item, which is answered with this one,
    /// as are the ones it had taken the place of: the list stays flat however long the chain (a
    /// device away for long may replace a value many thousand times).
    public void Supersede(PendingWrite older)
    {
        var replaced = older._superseded ?? [];
        older._superseded = null;
        replaced.Add(older);
        if (_superseded is null)
        {
            _superseded = replaced; // taken over, not copied: each replacement costs the same
        }
        else
        {
            _superseded.AddRange(replaced);
        }
    }

    public void Succeed(WireItem? item)
    {
        _done.TrySetResult(item);
        _superseded?.ForEach(older => older.Succeed(item));
    }

    public void Fail(Exception error)
    {
        _done.TrySetException(error);
        _superseded?.ForEach(older => older.Fail(error));
    }
}
