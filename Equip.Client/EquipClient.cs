using Equip.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Equip.Client;

/// <summary>
/// A peer of an Equip dataspace. It connects, and reconnects forever with capped exponential
/// backoff; its own changes are sent in order, and queued while it is disconnected; each
/// subscription keeps a <see cref="Replica"/> that catches up after every reconnect; and after
/// every (re)connect it re-asserts the items it is responsible for and says sync complete, so the
/// server drops the ones it no longer has.
/// </summary>
public sealed class EquipClient : IAsyncDisposable
{
    private readonly EquipClientOptions _options;
    private readonly LinkedList<PendingWrite> _pending = new();
    private readonly Dictionary<Guid, LinkedListNode<PendingWrite>> _lastPendingOf = [];
    private const int ReassertBatch = 100;
    private const int OwnDeleteAttempts = 5;
    private readonly Dictionary<Guid, OwnedItem> _owned = new();
    private readonly Dictionary<string, Replica> _replicas = new();
    private readonly HashSet<Replica> _unsubscribed = new();
    private readonly SemaphoreSlim _work = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Backoff _backoff;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HubConnection? _connection;
    private Task? _run;
    private int _subscriptions;
    private bool _needsReassert;
    private volatile HubException? _fencedBy;
    private bool _needsSync;
    private bool _sessionPresent;
    private Exception? _stoppedBy;

    /// <summary>Makes a client; call <see cref="Start"/> to connect.</summary>
    public EquipClient(EquipClientOptions options)
    {
        _options = options;
        _backoff = new Backoff(options.InitialReconnectDelay, options.MaxReconnectDelay);
        PeerId = PeerIdentity.Resolve(options);
        Incarnation = Guid.NewGuid().ToString("N");
    }

    /// <summary>This peer's stable id.</summary>
    public string PeerId { get; }

    /// <summary>This process's incarnation, new for every client made.</summary>
    public string Incarnation { get; }

    /// <summary>The connection's state now.</summary>
    public EquipConnectionState State { get; private set; } = EquipConnectionState.Connecting;

    /// <summary>Raised when <see cref="State"/> changes, on the client's own thread.</summary>
    public event Action<EquipConnectionChange>? StateChanged;

    /// <summary>How many own changes wait to be sent.</summary>
    public int PendingChanges
    {
        get
        {
            lock (_pending)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Starts connecting in the background; the client never gives up until disposed.</summary>
    public void Start() => _run ??= Task.Run(RunAsync);

    /// <summary>Completes when the client is connected and caught up.</summary>
    public Task WaitUntilConnectedAsync(CancellationToken cancellationToken = default) =>
        Volatile.Read(ref _connected).Task.WaitAsync(cancellationToken);

    /// <summary>Adds an item this peer is responsible for (an id is made when absent, so that a resend is a harmless re-add).</summary>
    public async Task<WireItem> AddAsync(AddRequest request)
    {
        var withId = request with { Id = request.Id ?? Guid.CreateVersion7() };
        return (await Enqueue(new PendingWrite(HubNames.Add, withId, withId.Id!.Value, withId.LeaseSeconds)))!;
    }

    /// <summary>Replaces an item's fields.</summary>
    public async Task<WireItem> UpdateAsync(UpdateRequest request) =>
        (await Enqueue(new PendingWrite(HubNames.Update, request, request.Id, request.LeaseSeconds)))!;

    /// <summary>Deletes an item.</summary>
    public Task DeleteAsync(Guid id, long? expectedRevision = null) =>
        Enqueue(new PendingWrite(HubNames.Delete, new DeleteRequest { Id = id, ExpectedRevision = expectedRevision }, id, null));

    /// Deletes an item unless another peer has taken it over (re-added it) since this peer last
    /// saw it; an item that is gone already, or no longer this peer's, is left as it is.
    internal Task DeleteOwnAsync(Guid id) =>
        Enqueue(new PendingWrite(HubNames.Delete, new DeleteRequest { Id = id }, id, null) { OnlyWhileOwned = true });

    /// <summary>Subscribes to a pattern; the replica fills once connected and stays current.</summary>
    public Replica Subscribe(WirePattern pattern)
    {
        var replica = new Replica($"s{Interlocked.Increment(ref _subscriptions)}", pattern);
        lock (_replicas)
        {
            _replicas[replica.SubscriptionId] = replica;
            _unsubscribed.Add(replica);
        }
        _work.Release();
        return replica;
    }

    /// <summary>Reads one page of matching items from the server, waiting until connected.</summary>
    public async Task<IReadOnlyList<WireItem>> QueryAsync(QueryRequest request, CancellationToken cancellationToken = default)
    {
        await WaitUntilConnectedAsync(cancellationToken);
        return await Live().InvokeAsync<IReadOnlyList<WireItem>>(HubNames.Query, request, cancellationToken);
    }

    /// <summary>Reads one item from the server, waiting until connected; null when there is none.</summary>
    public async Task<WireItem?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await WaitUntilConnectedAsync(cancellationToken);
        return await Live().InvokeAsync<WireItem?>(HubNames.Get, id, cancellationToken);
    }

    /// <summary>Stops the client: the connection closes and queued changes fail.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run;
        }
        await DropConnectionAsync();
        FailPending(new ObjectDisposedException(nameof(EquipClient)));
        SetState(new EquipConnectionChange(EquipConnectionState.Disposed, false, null));
        _stop.Dispose();
    }

    /// Fails every queued write, and every later one: the client has stopped for good.
    private void FailPending(Exception error)
    {
        lock (_pending)
        {
            _stoppedBy = error;
            foreach (var write in _pending)
            {
                write.Fail(error);
            }
            _pending.Clear();
            _lastPendingOf.Clear();
        }
    }

    private Task<WireItem?> Enqueue(PendingWrite write)
    {
        lock (_pending)
        {
            if (_stoppedBy is not null)
            {
                write.Fail(_stoppedBy);
                return write.Done;
            }
            if (write.IsSquashable
                && _lastPendingOf.TryGetValue(write.ItemId, out var older)
                && older.Value.IsSquashable
                && older != _pending.First) // the first may be on its way
            {
                _pending.Remove(older);
                write.Supersede(older.Value);
            }
            if (_pending.Count >= _options.MaxQueuedChanges)
            {
                throw new EquipQueueFullException(_options.MaxQueuedChanges);
            }
            _lastPendingOf[write.ItemId] = _pending.AddLast(write);
        }
        _work.Release();
        return write.Done;
    }

    private HubConnection Live() =>
        _connection is { State: HubConnectionState.Connected } connection
            ? connection
            : throw new InvalidOperationException("The client is not connected.");

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (_connection is null)
                {
                    await ConnectAsync(stop);
                    _backoff.Reset();
                    continue;
                }
                if (!await DoNextStepAsync(stop))
                {
                    await _work.WaitAsync(stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (HubException fenced) when (HubErrors.CodeOf(fenced.Message) == HubErrors.StaleIncarnation)
            {
                await DropConnectionAsync();
                FailPending(fenced);
                SetState(new EquipConnectionChange(EquipConnectionState.Fenced, false, fenced));
                return;
            }
            catch (Exception error)
            {
                await DropConnectionAsync();
                SetState(new EquipConnectionChange(EquipConnectionState.Connecting, false, error));
                try
                {
                    await Task.Delay(_backoff.Next(), stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ConnectAsync(CancellationToken stop)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(_options.Server, HubNames.Path));
        if (_options.UseMessagePack)
        {
            builder.AddMessagePackProtocol(o => o.SerializerOptions = EquipMessagePack.Options);
        }
        var connection = builder.Build();
        connection.KeepAliveInterval = _options.KeepAliveInterval;
        connection.ServerTimeout = _options.ServerTimeout;
        connection.On<SnapshotMessage>(HubNames.Snapshot, m =>
        {
            AdoptSeen(m.Items);
            ReplicaOf(m.SubscriptionId)?.ApplySnapshot(m);
        });
        connection.On<ChangesMessage>(HubNames.Changes, m =>
        {
            AdoptSeen(m.Events.Where(e => e.Kind != "deleted").Select(e => e.Item));
            ReplicaOf(m.SubscriptionId)?.ApplyChanges(m);
        });
        connection.Closed += error =>
        {
            if (HubErrors.CodeOf(error?.Message) == HubErrors.StaleIncarnation)
            {
                _fencedBy = new HubException(error!.Message, error); // the server closed this connection for a newer incarnation
            }
            _work.Release();
            return Task.CompletedTask;
        };
        _connection = connection;
        // A connect into a network that drops packets silently would hang until the OS gives up:
        // opening the connection gets ServerTimeout, then the next attempt comes after the backoff.
        // Register is not bounded so: it is a write, which may wait its turn on a busy server, and
        // the connection it runs on is watched by the keep-alive.
        using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(stop))
        {
            attempt.CancelAfter(_options.ServerTimeout);
            await connection.StartAsync(attempt.Token);
        }
        var registration = await connection.InvokeAsync<RegisterResponse>(HubNames.Register, new RegisterRequest
        {
            PeerId = PeerId,
            Incarnation = Incarnation,
            Name = _options.Name,
        }, stop);
        _sessionPresent = registration.SessionPresent;
        lock (_replicas)
        {
            foreach (var replica in _replicas.Values)
            {
                _unsubscribed.Add(replica);
            }
        }
        _needsReassert = true;
        _needsSync = true;
    }

    /// One step of catching up after a connect, or one queued write; false when there is nothing to do.
    private async Task<bool> DoNextStepAsync(CancellationToken stop)
    {
        var connection = _connection!;
        if (connection.State != HubConnectionState.Connected)
        {
            throw _fencedBy ?? (Exception)new InvalidOperationException("The connection closed.");
        }
        if (NextUnsubscribed() is { } replica)
        {
            await connection.InvokeAsync<SubscribeResponse>(HubNames.Subscribe, new SubscribeRequest
            {
                SubscriptionId = replica.SubscriptionId,
                Pattern = replica.Pattern,
                FromRevision = replica.HasSnapshot ? replica.Revision : null,
            }, stop);
            lock (_replicas)
            {
                _unsubscribed.Remove(replica);
            }
            return true;
        }
        if (_needsReassert)
        {
            await ReassertAsync(connection, stop);
            _needsReassert = false;
            return true;
        }
        if (NextPending() is { } write)
        {
            await SendAsync(connection, write, stop);
            return true;
        }
        if (_needsSync)
        {
            await connection.InvokeAsync<int>(HubNames.SyncComplete, stop);
            _needsSync = false;
            SetState(new EquipConnectionChange(EquipConnectionState.Connected, _sessionPresent, null));
            return true;
        }
        return false;
    }

    /// Re-asserts the acknowledged state of every own item not about to be deleted, in batches;
    /// an item the server leaves out of its answer no longer exists and is forgotten.
    private async Task ReassertAsync(HubConnection connection, CancellationToken stop)
    {
        List<ReassertedItemMessage> owned;
        lock (_owned)
        {
            HashSet<Guid> deleting;
            lock (_pending)
            {
                deleting = _pending.Where(w => w.IsDelete).Select(w => w.ItemId).ToHashSet();
            }
            owned = _owned.Values.Where(o => !deleting.Contains(o.Item.Id)).Select(o => new ReassertedItemMessage
            {
                Id = o.Item.Id,
                Type = o.Item.Type,
                Fields = o.Item.Fields,
                ProcessBound = o.Item.ProcessBound,
                LeaseSeconds = o.LeaseSeconds,
                KnownRevision = o.Item.Revision,
            }).ToList();
        }
        foreach (var batch in owned.Chunk(ReassertBatch))
        {
            var stored = (await connection.InvokeAsync<IReadOnlyList<WireItem>>(HubNames.Reassert, batch, stop)).ToDictionary(i => i.Id);
            lock (_owned)
            {
                foreach (var asserted in batch)
                {
                    if (stored.TryGetValue(asserted.Id, out var item) && item.Responsible == PeerId)
                    {
                        _owned[item.Id] = new OwnedItem(item, asserted.LeaseSeconds);
                    }
                    else
                    {
                        _owned.Remove(asserted.Id);
                    }
                }
            }
        }
    }

    /// Own items that another peer changed, as a subscription shows them: a later re-assertion
    /// states what the server last had, not what this peer last wrote, so that a restored item
    /// does not bring back a value that had been replaced.
    private void AdoptSeen(IEnumerable<WireItem> items)
    {
        lock (_owned)
        {
            foreach (var item in items)
            {
                if (item.Responsible == PeerId && _owned.TryGetValue(item.Id, out var held) && held.Item.Revision < item.Revision)
                {
                    _owned[item.Id] = held with { Item = item };
                }
            }
        }
    }

    private async Task SendAsync(HubConnection connection, PendingWrite write, CancellationToken stop)
    {
        if (write.OnlyWhileOwned)
        {
            await SendOwnDeleteAsync(connection, write, stop);
            return;
        }
        WireItem? result = null;
        var resent = write.Retried;
        write.Retried = true;
        try
        {
            if (write.IsDelete)
            {
                await connection.InvokeAsync(write.Method, write.Argument, stop);
            }
            else
            {
                result = await connection.InvokeAsync<WireItem>(write.Method, write.Argument, stop);
            }
        }
        catch (HubException refused) when (!IsAlreadyGone(write, resent, refused))
        {
            Dequeue(write);
            write.Fail(ToRefusal(refused));
            return;
        }
        catch (HubException)
        {
            // The item is gone, as asked (see IsAlreadyGone).
        }
        lock (_owned)
        {
            if (write.IsDelete)
            {
                _owned.Remove(write.ItemId);
            }
            else if (result!.Responsible == PeerId)
            {
                var lease = write.LeaseSeconds ?? _owned.GetValueOrDefault(result.Id)?.LeaseSeconds;
                _owned[result.Id] = new OwnedItem(result, lease);
            }
        }
        Dequeue(write);
        write.Succeed(result);
    }

    /// A delete answered not-found has what it asked for when it was resent (the first sending took
    /// effect before the connection broke) or the item was this peer's own (the server removed it
    /// meanwhile: the session's grace period ended while this peer was away).
    private bool IsAlreadyGone(PendingWrite write, bool resent, HubException refused)
    {
        if (!write.IsDelete || HubErrors.CodeOf(refused.Message) != HubErrors.NotFound)
        {
            return false;
        }
        lock (_owned)
        {
            return resent || _owned.ContainsKey(write.ItemId);
        }
    }

    /// A delete at the revision this peer knows; when the item changed since, it is read again and
    /// deleted at its new revision only if this peer is still responsible for it.
    private async Task SendOwnDeleteAsync(HubConnection connection, PendingWrite write, CancellationToken stop)
    {
        long? known;
        lock (_owned)
        {
            known = _owned.GetValueOrDefault(write.ItemId)?.Item.Revision;
        }
        for (var attempt = 0; known is { } revision && attempt < OwnDeleteAttempts; attempt++)
        {
            try
            {
                await connection.InvokeAsync(HubNames.Delete, new DeleteRequest { Id = write.ItemId, ExpectedRevision = revision }, stop);
                break;
            }
            catch (HubException refused) when (HubErrors.CodeOf(refused.Message) == HubErrors.RevisionMismatch)
            {
                var stored = await connection.InvokeAsync<WireItem?>(HubNames.Get, write.ItemId, stop);
                known = stored?.Responsible == PeerId ? stored.Revision : null;
            }
            catch (HubException refused) when (HubErrors.CodeOf(refused.Message) == HubErrors.NotFound)
            {
                break;
            }
            catch (HubException refused)
            {
                Dequeue(write);
                write.Fail(ToRefusal(refused));
                return;
            }
        }
        lock (_owned)
        {
            _owned.Remove(write.ItemId);
        }
        Dequeue(write);
        write.Succeed(null);
    }

    private static EquipRefusedException ToRefusal(HubException refused) =>
        new(HubErrors.CodeOf(refused.Message) ?? "error", refused.Message);

    private Replica? NextUnsubscribed()
    {
        lock (_replicas)
        {
            return _unsubscribed.FirstOrDefault();
        }
    }

    private PendingWrite? NextPending()
    {
        lock (_pending)
        {
            return _pending.First?.Value;
        }
    }

    private void Dequeue(PendingWrite write)
    {
        lock (_pending)
        {
            _pending.Remove(write);
            if (_lastPendingOf.TryGetValue(write.ItemId, out var last) && last.Value == write)
            {
                _lastPendingOf.Remove(write.ItemId);
            }
        }
    }

    private Replica? ReplicaOf(string subscriptionId)
    {
        lock (_replicas)
        {
            return _replicas.GetValueOrDefault(subscriptionId);
        }
    }

    private async Task DropConnectionAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            try
            {
                await connection.DisposeAsync();
            }
            catch (Exception)
            {
                // Disposing a broken connection can fail; it is gone either way.
            }
        }
    }

    private void SetState(EquipConnectionChange change)
    {
        if (State == change.State && change.State != EquipConnectionState.Connecting)
        {
            return;
        }
        var wasConnected = State == EquipConnectionState.Connected;
        State = change.State;
        if (change.State == EquipConnectionState.Connected)
        {
            _connected.TrySetResult();
        }
        else if (wasConnected)
        {
            Volatile.Write(ref _connected, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        StateChanged?.Invoke(change);
    }
}
