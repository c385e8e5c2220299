using Equip.Protocol;

namespace Equip.Web.Hubs;

/// What a connection has yet to receive, in order. An unreliable update replaces the one still
/// queued for the same item and subscription (it moves to the end, so revision order holds): a
/// receiver that lags gets the latest value rather than a backlog. Entries are appended without
/// waking the pump; whoever appends signals once when done (the dispatcher once per batch).
internal sealed class Outbox(int capacity, Action onOverflow)
{
    private readonly LinkedList<OutboxEntry> _queue = new();
    private readonly Dictionary<(string Subscription, Guid Item), LinkedListNode<OutboxEntry>> _squashable = new();
    private readonly SemaphoreSlim _signal = new(0);
    private bool _overflowed;
    private int _signalled;

    public void Append(OutboxEntry entry)
    {
        lock (_queue)
        {
            if (_overflowed)
            {
                return;
            }
            if (entry is OutboxEvent { Unreliable: true } update)
            {
                var key = (update.SubscriptionId, update.Event.Item.Id);
                if (_squashable.Remove(key, out var older))
                {
                    _queue.Remove(older);
                }
                _squashable[key] = _queue.AddLast(entry);
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

    /// Wakes the pump to send what has been appended; while a wake-up is pending, another one adds
    /// nothing (the pump takes everything appended before it clears the flag).
    public void Signal()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _signal.Release();
        }
    }

    /// Sends until cancelled, each time everything queued, with consecutive events of one
    /// subscription in one Changes message.
    public async Task PumpAsync(Func<string, object, Task> send, CancellationToken cancellationToken)
    {
        while (true)
        {
            await _signal.WaitAsync(cancellationToken);
            Interlocked.Exchange(ref _signalled, 0);
            OutboxEntry[] batch;
            lock (_queue)
            {
                batch = [.. _queue];
                _queue.Clear();
                _squashable.Clear();
            }
            for (var i = 0; i < batch.Length;)
            {
                switch (batch[i])
                {
                    case OutboxSnapshot snapshot:
                        await send(HubNames.Snapshot, snapshot.Message);
                        i++;
                        break;
                    case OutboxEvent first:
                        var events = new List<WireEvent>();
                        for (; i < batch.Length && batch[i] is OutboxEvent next && next.SubscriptionId == first.SubscriptionId; i++)
                        {
                            events.Add(next.Event);
                        }
                        await send(HubNames.Changes, new ChangesMessage { SubscriptionId = first.SubscriptionId, Events = events });
                        break;
                }
            }
        }
    }
}

internal abstract record OutboxEntry;

internal sealed record OutboxSnapshot(SnapshotMessage Message) : OutboxEntry;

internal sealed record OutboxEvent(string SubscriptionId, WireEvent Event, bool Unreliable) : OutboxEntry;
