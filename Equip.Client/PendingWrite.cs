using System.Text.Json;
using Equip.Protocol;

namespace Equip.Client;

/// An item this peer is responsible for, as the server last acknowledged it, with the lease it
/// was given (re-asserted with the same length). Value is the item's value when a value of its
/// own was acknowledged after Item's fields were (written into the fields when re-asserted).
internal sealed record OwnedItem(WireItem Item, double? LeaseSeconds, JsonElement? Value = null)
{
    public JsonElement Fields => Value is { } value ? WireFields.WithValue(Item.Fields, value) : Item.Fields;
}

/// One of the client's own changes, waiting to be sent in order.
internal sealed class PendingWrite(string method, object argument, Guid itemId, double? leaseSeconds)
{
    private readonly TaskCompletionSource<WireItem?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private List<PendingWrite>? _superseded;
    private object? _carrier;

    /// A value whose value is read when it is sent (the latest the source has then), not when queued.
    public static PendingWrite OfValue(Guid itemId, Func<JsonElement> source) =>
        new(HubNames.SetValues, source, itemId, null);

    public string Method => method;

    public object Argument => argument;

    public Guid ItemId => itemId;

    public bool IsDelete => method == HubNames.Delete;

    /// A value of the item (SetValues): sent in a frame with the values queued next to it, and
    /// acknowledged by the server's ValuesApplied.
    public bool IsValue => method == HubNames.SetValues;

    /// The revision a value was given, once acknowledged (0 until then).
    public long Revision { get; private set; }

    /// The value as last sent.
    public JsonElement SentValue { get; private set; }

    /// Reads the value to send now: the one given, or the source's latest.
    public JsonElement TakeValue() => SentValue = argument is Func<JsonElement> source ? source() : ((ValueEntry)argument).Value;

    /// Queued and not on its way yet: a value set now is still sent with it (its source is read then).
    public bool IsWaiting => Volatile.Read(ref _carrier) is null && !_done.Task.IsCompleted;

    /// A delete of an item this peer may no longer be responsible for (another peer re-added it):
    /// sent only while it is, at the revision last seen.
    public bool OnlyWhileOwned { get; init; }

    public double? LeaseSeconds => leaseSeconds;

    /// Its place in the order writes were queued in (given when queued).
    public long Sequence { get; set; }

    /// The connection it is on its way over (set and cleared under the queue's lock), or null.
    public object? Carrier
    {
        get => Volatile.Read(ref _carrier);
        set => Volatile.Write(ref _carrier, value);
    }

    /// Sent at least once before: its outcome on the server may already have happened.
    public bool Retried { get; set; }

    public Task<WireItem?> Done => _done.Task;

    /// A high-rate value update with no revision check: a later one of the same item may take its
    /// place in the queue once a few of the item wait (the receiver of such values gets only a few
    /// of an item, the last the latest, when it lags, and a client that has not sent yet is lagging).
    public bool IsSquashable => IsValue || argument is UpdateRequest { Unreliable: true, ExpectedRevision: null };

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

    /// A value was acknowledged at the revision; the values it took the place of were too.
    public void Applied(long revision)
    {
        Revision = revision;
        _superseded?.ForEach(older => older.Revision = revision);
        Succeed(null);
    }

    public void Fail(Exception error)
    {
        _done.TrySetException(error);
        _superseded?.ForEach(older => older.Fail(error));
    }
}
