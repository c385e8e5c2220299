using Equip.Protocol;

namespace Equip.Client;

/// The client's own changes not yet answered, in the order they were made. Up to valuesPerItem
/// unreliable value updates of an item wait to be sent (one, once the queue is half full, so that
/// values never fill it where one per item would not); a later one takes the place of the newest
/// of them. A write on its way is marked with the connection carrying it, and one carried by a
/// connection that broke is sent again on the next.
internal sealed class PendingWrites(int capacity, int valuesPerItem)
{
    private readonly LinkedList<PendingWrite> _queue = new();
    private readonly Dictionary<Guid, LinkedListNode<PendingWrite>> _lastOf = [];
    private readonly Dictionary<Guid, int> _waitingOf = []; // squashable writes not on their way, per item
    private Exception? _stoppedBy;
    private long _sequence;

    public int Count
    {
        get
        {
            lock (_queue)
            {
                return _queue.Count;
            }
        }
    }

    public Task<WireItem?> Enqueue(PendingWrite write)
    {
        lock (_queue)
        {
            if (_stoppedBy is not null)
            {
                write.Fail(_stoppedBy);
                return write.Done;
            }
            if (write.IsSquashable
                && _lastOf.TryGetValue(write.ItemId, out var older)
                && older.Value.IsSquashable
                && older.Value.Method == write.Method
                && older.Value.Carrier is null
                && _waitingOf.GetValueOrDefault(write.ItemId) >= PerItemNow())
            {
                _queue.Remove(older); // one waiting write takes another's place: as many wait
                write.Supersede(older.Value);
            }
            else
            {
                if (_queue.Count >= capacity)
                {
                    throw new EquipQueueFullException(capacity);
                }
                CountWaiting(write, 1);
            }
            write.Sequence = ++_sequence;
            _lastOf[write.ItemId] = _queue.AddLast(write);
        }
        return write.Done;
    }

    /// The sequence number of the latest write queued so far.
    public long LastSequence
    {
        get
        {
            lock (_queue)
            {
                return _sequence;
            }
        }
    }

    /// Whether a write queued at or before the given sequence number is still unanswered.
    public bool AnyUpTo(long sequence)
    {
        lock (_queue)
        {
            return _queue.First is { } first && first.Value.Sequence <= sequence;
        }
    }

    /// The first write not yet on its way over this connection.
    public PendingWrite? Next(object connection)
    {
        lock (_queue)
        {
            foreach (var write in _queue)
            {
                if (!ReferenceEquals(write.Carrier, connection))
                {
                    return write;
                }
            }
            return null;
        }
    }

    /// The values queued next to one another from the first write not yet on its way over this
    /// connection (at most max), marked as on their way over it: one SetValues frame.
    public List<PendingWrite> TakeValues(object connection, int max)
    {
        var frame = new List<PendingWrite>();
        lock (_queue)
        {
            var node = _queue.First;
            while (node is not null && ReferenceEquals(node.Value.Carrier, connection))
            {
                node = node.Next;
            }
            for (; node is not null && node.Value.IsValue && frame.Count < max; node = node.Next)
            {
                Carry(node.Value, connection);
                frame.Add(node.Value);
            }
        }
        return frame;
    }

    public void Sending(PendingWrite write, object connection)
    {
        lock (_queue)
        {
            Carry(write, connection);
        }
    }

    /// The connection broke before the answer came: the write goes again on the next one.
    public void NotSent(PendingWrite write, object connection)
    {
        lock (_queue)
        {
            if (ReferenceEquals(write.Carrier, connection))
            {
                write.Carrier = null;
                CountWaiting(write, 1);
            }
        }
    }

    public void Remove(PendingWrite write)
    {
        lock (_queue)
        {
            if (_queue.Remove(write) && write.Carrier is null)
            {
                CountWaiting(write, -1);
            }
            if (_lastOf.TryGetValue(write.ItemId, out var last) && last.Value == write)
            {
                _lastOf.Remove(write.ItemId);
            }
        }
    }

    /// The items a queued delete is about to remove (not to be re-asserted).
    public HashSet<Guid> Deleting()
    {
        lock (_queue)
        {
            return [.. _queue.Where(w => w.IsDelete).Select(w => w.ItemId)];
        }
    }

    /// Fails every queued write, and every later one: the client has stopped for good.
    public void FailAll(Exception error)
    {
        lock (_queue)
        {
            _stoppedBy = error;
            foreach (var write in _queue)
            {
                write.Fail(error);
            }
            _queue.Clear();
            _lastOf.Clear();
            _waitingOf.Clear();
        }
    }

    /// How many values of an item may wait now: valuesPerItem, or one once the queue is half full.
    public int ValuesPerItemNow
    {
        get
        {
            lock (_queue)
            {
                return PerItemNow();
            }
        }
    }

    /// The caller holds the lock.
    private int PerItemNow() => _queue.Count * 2 >= capacity ? 1 : valuesPerItem;

    /// Marks the write as on its way over the connection; the caller holds the lock.
    private void Carry(PendingWrite write, object connection)
    {
        if (write.Carrier is null)
        {
            CountWaiting(write, -1);
        }
        write.Carrier = connection;
    }

    /// The caller holds the lock.
    private void CountWaiting(PendingWrite write, int change)
    {
        if (!write.IsSquashable)
        {
            return;
        }
        var waiting = _waitingOf.GetValueOrDefault(write.ItemId) + change;
        if (waiting > 0)
        {
            _waitingOf[write.ItemId] = waiting;
        }
        else
        {
            _waitingOf.Remove(write.ItemId);
        }
    }
}
