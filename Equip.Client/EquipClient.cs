using System.Text.Json;
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
    private readonly PendingWrites _pending;
    private readonly OwnedItems _owned;
    private readonly Replicas _replicas = new();
    private readonly WriteSender _sender;
    private readonly SemaphoreSlim _work = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Backoff _backoff;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClientConnection? _connection;
    private Task? _run;
    private bool _needsReassert;
    private volatile HubException? _closedForGoodBy;
    private bool _needsSync;
    private long _syncAfter;
    private bool _sessionPresent;

    /// <summary>Makes a client; call <see cref="Start"/> to connect.</summary>
    public EquipClient(EquipClientOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ValuesQueuedPerItem, 1, nameof(options.ValuesQueuedPerItem));
        _options = options;
        _backoff = new Backoff(options.InitialReconnectDelay, options.MaxReconnectDelay, options.RestartReconnectDelay);
        PeerId = PeerIdentity.Resolve(options);
        Incarnation = Guid.NewGuid().ToString("N");
        _pending = new PendingWrites(options.MaxQueuedChanges, options.ValuesQueuedPerItem);
        _owned = new OwnedItems(PeerId);
        _sender = new WriteSender(_pending, _owned, options.MaxValuesInFlight, () => _work.Release());
    }

    /// <summary>This peer's stable id.</summary>
    public string PeerId { get; }

    /// <summary>This process's incarnation, new for every client made.</summary>
    public string Incarnation { get; }

    /// <summary>The connection's state now.</summary>
    public EquipConnectionState State { get; private set; } = EquipConnectionState.Connecting;

    /// <summary>Raised when <see cref="State"/> changes, on the client's own thread.</summary>
    public event Action<EquipConnectionChange>? StateChanged;

    /// <summary>How many own changes wait to be sent or answered.</summary>
    public int PendingChanges => _pending.Count;

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

    /// <summary>
    /// Sets the item's value (its top-level field "value"; the other fields stay as they are), as
    /// a high-rate value: sent with the values queued next to it in one SetValues frame, without
    /// waiting for the answers to those before it; beyond ValuesQueuedPerItem values of the item
    /// waiting to be sent, a later one takes the place of the newest of them. Completes with the
    /// revision the value was given (or the revision of the value that took its place).
    /// </summary>
    public async Task<long> SetValueAsync(Guid itemId, JsonElement value)
    {
        var write = new PendingWrite(HubNames.SetValues, new ValueEntry(itemId, value), itemId, null);
        await Enqueue(write);
        return write.Revision;
    }

    /// How many values of an item may wait now: ValuesQueuedPerItem, or one once the queue is half full.
    internal int ValuesQueuedPerItemNow => _pending.ValuesPerItemNow;

    /// A value of the item read from the source when it is sent (the component layer keeps up to
    /// ValuesQueuedPerItemNow such writes waiting and gives the newest a later value beyond them).
    internal PendingWrite QueueValue(Guid itemId, Func<JsonElement> source)
    {
        var write = PendingWrite.OfValue(itemId, source);
        _ = Enqueue(write);
        return write;
    }

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
        var replica = _replicas.Add(pattern);
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
        _pending.FailAll(new ObjectDisposedException(nameof(EquipClient)));
        SetState(new EquipConnectionChange(EquipConnectionState.Disposed, false, null));
        _stop.Dispose();
    }

    private Task<WireItem?> Enqueue(PendingWrite write)
    {
        var done = _pending.Enqueue(write);
        _work.Release();
        return done;
    }

    private int _serverIndex;

    /// The address the next connection goes to: Server, then each of AlternateServers, in turn.
    private Uri CurrentServer => _serverIndex == 0 ? _options.Server : _options.AlternateServers[_serverIndex - 1];

    private HubConnection Live() =>
        _connection is { Hub.State: HubConnectionState.Connected } connection
            ? connection.Hub
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
                _pending.FailAll(fenced);
                SetState(new EquipConnectionChange(EquipConnectionState.Fenced, false, fenced));
                return;
            }
            catch (Exception refused) when (KeyRefusal.Of(refused) is { } reason)
            {
                await DropConnectionAsync();
                _pending.FailAll(reason);
                SetState(new EquipConnectionChange(EquipConnectionState.Unauthorized, false, reason));
                return;
            }
            catch (Exception error)
            {
                await DropConnectionAsync();
                _serverIndex = (_serverIndex + 1) % (_options.AlternateServers.Count + 1); // the installation's next address, if it has several
                SetState(new EquipConnectionChange(EquipConnectionState.Connecting, false, error));
                try
                {
                    await Task.Delay(_backoff.Next(ServerRestarting.Says(error)), stop);
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
        var builder = new HubConnectionBuilder().WithUrl(new Uri(CurrentServer, HubNames.Path), http =>
        {
            if (_options.Key is { } key)
            {
                http.AccessTokenProvider = () => Task.FromResult<string?>(key);
            }
        });
        if (_options.UseMessagePack)
        {
            builder.AddMessagePackProtocol(o => o.SerializerOptions = EquipMessagePack.Options);
        }
        var connection = builder.Build();
        connection.KeepAliveInterval = _options.KeepAliveInterval;
        connection.ServerTimeout = _options.ServerTimeout;
        connection.On<SnapshotMessage>(HubNames.Snapshot, m =>
        {
            _owned.AdoptSeen(m.Items);
            _replicas.Of(m.SubscriptionId)?.ApplySnapshot(m);
        });
        connection.On<ChangesMessage>(HubNames.Changes, m =>
        {
            _owned.AdoptSeen(m.Events.Where(e => e.Kind != "deleted").Select(e => e.Item));
            _replicas.Of(m.SubscriptionId)?.ApplyChanges(m);
        });
        connection.On<ValuesMessage>(HubNames.Values, m =>
        {
            _owned.AdoptSeenValues(m.Values);
            _replicas.Of(m.SubscriptionId)?.ApplyValues(m);
        });
        var session = new ClientConnection(connection);
        connection.On<ValuesAppliedMessage>(HubNames.ValuesApplied, m => _sender.Applied(session, m, (write, revision) =>
        {
            _owned.ValueAcknowledged(write.ItemId, write.SentValue, revision);
            _replicas.ApplyOwnValue(write.ItemId, write.SentValue, revision);
        }));
        connection.Closed += error =>
        {
            if (HubErrors.CodeOf(error?.Message) is HubErrors.StaleIncarnation or HubErrors.KeyRevoked)
            {
                _closedForGoodBy = new HubException(error!.Message, error); // fenced off by a newer incarnation, or the key was revoked
            }
            _work.Release();
            return Task.CompletedTask;
        };
        _connection = session;
        // A connect into a network that drops packets silently would hang until the OS gives up:
        // opening the connection gets ServerTimeout, then the next attempt comes after the backoff.
        // Register is not bounded so: it is a write, which may wait its turn on a busy server, and
        // the connection it runs on is watched by the keep-alive.
        using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(stop))
        {
            attempt.CancelAfter(_options.ServerTimeout);
            await connection.StartAsync(attempt.Token);
        }
        RegisterResponse registration;
        try
        {
            registration = await connection.InvokeAsync<RegisterResponse>(HubNames.Register, new RegisterRequest
            {
                PeerId = PeerId,
                Incarnation = Incarnation,
                Name = _options.Name,
            }, stop);
        }
        catch (HubException refused) when (HubErrors.CodeOf(refused.Message) == HubErrors.Forbidden)
        {
            throw new EquipUnauthorizedException(refused.Message, refused); // the key may not register this peer id
        }
        _sessionPresent = registration.SessionPresent;
        _replicas.ResubscribeAll();
        _needsReassert = true;
        _needsSync = true;
        _syncAfter = _pending.LastSequence;
    }

    /// One step of catching up after a connect, or one queued write; false when there is nothing to do.
    private async Task<bool> DoNextStepAsync(CancellationToken stop)
    {
        var session = _connection!;
        var connection = session.Hub;
        if (connection.State != HubConnectionState.Connected)
        {
            throw _closedForGoodBy ?? (Exception)new InvalidOperationException("The connection closed.");
        }
        if (_replicas.NextUnsubscribed() is { } replica)
        {
            await connection.InvokeAsync<SubscribeResponse>(HubNames.Subscribe, new SubscribeRequest
            {
                SubscriptionId = replica.SubscriptionId,
                Pattern = replica.Pattern,
                FromRevision = replica.HasSnapshot ? replica.Revision : null,
                CompactValues = true,
                // Whether an own item matches such a pattern turns on its value: the replica needs its own values back.
                OwnValues = replica.Pattern.Fields?.ContainsKey(WireFields.ValueField) == true,
            }, stop);
            _replicas.Subscribed(replica);
            return true;
        }
        if (_needsReassert)
        {
            await ReassertAsync(connection, stop);
            _needsReassert = false;
            return true;
        }
        // Sync completes once the writes queued before this connect are answered: writes made
        // since then (a device streaming values) do not hold it back.
        if (_needsSync && !_pending.AnyUpTo(_syncAfter))
        {
            await connection.InvokeAsync<int>(HubNames.SyncComplete, stop);
            _needsSync = false;
            SetState(new EquipConnectionChange(EquipConnectionState.Connected, _sessionPresent, null));
            return true;
        }
        // False while the writes on their way hold the next one back: their answers wake the loop.
        return await _sender.SendNextAsync(session, stop);
    }

    /// Re-asserts the acknowledged state of every own item not about to be deleted, in batches.
    private async Task ReassertAsync(HubConnection connection, CancellationToken stop)
    {
        foreach (var batch in _owned.ToReassert(_pending.Deleting()))
        {
            var stored = await connection.InvokeAsync<IReadOnlyList<WireItem>>(HubNames.Reassert, batch, stop);
            _owned.Reasserted(batch, stored.ToDictionary(i => i.Id));
        }
    }

    private async Task DropConnectionAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            try
            {
                await connection.Hub.DisposeAsync();
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
