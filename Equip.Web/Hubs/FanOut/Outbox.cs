using Equip.Protocol;

namespace Equip.Web.Hubs.FanOut;

/// What a connection has yet to receive, in order. Up to valuesPerItem unreliable updates (or
/// value changes) of one item wait for one subscription (one, once half the capacity waits); a
/// later one takes the place of the newest of them (it moves to the end, so revision order holds):
/// a receiver that keeps up gets every value, one that lags a few of an item at a time, the last
/// of them the latest, never a backlog.
/// Entries are appended without sending; whoever appends flushes once when done (the dispatcher
/// once per turn), and a flush writes everything queued to the connection at once, on the
/// flushing thread, when no write is under way (else the write under way takes it when done):
/// consecutive events of one subscription go in one Changes message, its value changes in one
/// Values message, each SetValues' outcome in a ValuesApplied of its own.
internal sealed class Outbox(int capacity, int valuesPerItem, Action onOverflow, Func<string, object, ValueTask> send)
{
    private readonly LinkedList<OutboxEntry> _queue = new();
    private readonly Dictionary<(string Subscription, Guid Item, bool Value), (LinkedListNode<OutboxEntry> Newest, int Waiting)> _squashable = new();
    private bool _overflowed;
    private bool _writing;
    private bool _closed;

    public void Append(OutboxEntry entry)
    {
        lock (_queue)
        {
            if (_overflowed || _closed)
            {
                return;
            }
            if (SquashKey(entry) is { } key)
            {
                var waiting = 0;
                if (_squashable.TryGetValue(key, out var older))
                {
                    waiting = older.Waiting;
                    // Far behind (half the capacity waiting), a receiver gets the latest only:
                    // values never cut a connection off that the latest-only rule would keep.
                    if (waiting >= (_queue.Count * 2 >= capacity ? 1 : valuesPerItem))
                    {
                        _queue.Remove(older.Newest);
                        waiting--;
                    }
                }
                _squashable[key] = (_queue.AddLast(entry), waiting + 1);
            }
            else
            {
                _queue.AddLast(entry);
            }
            if (_queue.Count > capacity)
            {
                // The receiver is too far behind: it reconnects and catches up from the log instead.
                _overflowed = true;
                _queue.Clear();
                _squashable.Clear();
                onOverflow();
            }
        }
    }

    /// Writes what is queued now, unless a write is under way (which then writes it when done).
    public void Flush()
    {
        OutboxEntry[] batch;
        lock (_queue)
        {
            if (_writing || _queue.Count == 0)
            {
                return;
            }
            _writing = true;
            batch = Take();
        }
        _ = WriteAsync(batch);
    }

    /// The connection is gone: nothing more is queued or written.
    public void Close()
    {
        lock (_queue)
        {
            _closed = true;
            _queue.Clear();
            _squashable.Clear();
        }
    }

    /// Runs on the flushing thread until a write has to wait for the connection (a receiver that
    /// does not read), then goes on when it can.
    private async Task WriteAsync(OutboxEntry[] batch)
    {
        try
        {
            while (true)
            {
                foreach (var (method, message) in Messages(batch))
                {
                    var written = send(method, message);
                    if (!written.IsCompletedSuccessfully)
                    {
                        await written;
                    }
                }
                lock (_queue)
                {
                    if (_queue.Count == 0 || _closed)
                    {
                        _writing = false;
                        return;
                    }
                    batch = Take();
                }
            }
        }
        catch (Exception)
        {
            // The connection is gone: its end closes the outbox; nothing is left to deliver to.
            Close();
        }
    }

    /// The caller holds the lock.
    private OutboxEntry[] Take()
    {
        OutboxEntry[] batch = [.. _queue];
        _queue.Clear();
        _squashable.Clear();
        return batch;
    }

    private static IEnumerable<(string Method, object Message)> Messages(OutboxEntry[] batch)
    {
        for (var i = 0; i < batch.Length;)
        {
            switch (batch[i])
            {
                case OutboxSnapshot snapshot:
                    yield return (HubNames.Snapshot, snapshot.Message);
                    i++;
                    break;
                case OutboxEvent first:
                    var events = new List<EventFrame>();
                    for (; i < batch.Length && batch[i] is OutboxEvent next && next.SubscriptionId == first.SubscriptionId; i++)
                    {
                        events.Add(next.Frame);
                    }
                    yield return (HubNames.Changes, new ChangesFrame { SubscriptionId = first.SubscriptionId, Events = events });
                    break;
                case OutboxValue firstValue:
                    var values = new List<ValueFrame>();
                    for (; i < batch.Length && batch[i] is OutboxValue next && next.SubscriptionId == firstValue.SubscriptionId; i++)
                    {
                        values.Add(new ValueFrame(next.Event));
                    }
                    yield return (HubNames.Values, new ValuesFrame { SubscriptionId = firstValue.SubscriptionId, Values = values });
                    break;
                case OutboxApplied applied:
                    yield return (HubNames.ValuesApplied, applied.ToMessage());
                    i++;
                    break;
            }
        }
    }

    /// Unreliable updates and value changes wait squashable: beyond valuesPerItem of them, a newer
    /// one of the same item for the same subscription, of the same kind, takes the newest one's place.
    private static (string, Guid, bool)? SquashKey(OutboxEntry entry) => entry switch
    {
        OutboxEvent { Unreliable: true } update => (update.SubscriptionId, update.Frame.Event.Change.Item.Id, false),
        OutboxValue value => (value.SubscriptionId, value.Event.Change.Item.Id, true),
        _ => null,
    };
}

internal abstract record OutboxEntry;

internal sealed record OutboxSnapshot(SnapshotMessage Message) : OutboxEntry;

internal sealed record OutboxEvent(string SubscriptionId, EventFrame Frame, bool Unreliable) : OutboxEntry;

internal sealed record OutboxValue(string SubscriptionId, SharedEvent Event) : OutboxEntry;
