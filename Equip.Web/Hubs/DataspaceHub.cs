using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Access;
using Equip.Infrastructure.Dataspace;
using Equip.Infrastructure.Observability;
using Equip.Web.Access;
using Equip.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Equip.Web.Hubs.Connections;
using Equip.Web.Hubs.FanOut;
using Equip.Web.Hubs.Refusals;

namespace Equip.Web.Hubs;

/// The device protocol (docs/protocol.md). A connection registers as a peer, then reads, writes
/// and subscribes; items it adds have it as responsible.
internal sealed class DataspaceHub(
    IDataspace dataspace,
    IPeerSessions peers,
    PeerConnections connections,
    ChangeDispatcher dispatcher,
    SubscriptionStarts starts,
    ClosingHubLifetimeManager lifetime,
    IOptions<LimitOptions> limits,
    IOptions<HubLimitOptions> hubLimits,
    IOptions<ValueQueueOptions> valueQueues,
    ItemLimits itemLimits,
    DeviceKeys keys,
    EquipMetrics metrics,
    ILogger<HubErrorFilter> logger) : Hub
{
    /// Writes are not cancelled when the connection closes: a write the server has started is
    /// carried out, only its answer is lost (docs/protocol.md, Connection loss). Reads are.
    private static CancellationToken Started => CancellationToken.None;

    private PeerConnection Connection => connections.Get(Context.ConnectionId);

    public override Task OnConnectedAsync()
    {
        var connectionId = Context.ConnectionId;
        metrics.ConnectionOpened();
        connections.Add(new PeerConnection(Context, dispatcher, hubLimits.Value.MaxPendingMessages, valueQueues.Value.QueuedPerItem, lifetime.ContextOf(connectionId)));
        return Task.CompletedTask;
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (connections.Remove(Context.ConnectionId) is not { } connection)
        {
            return;
        }
        metrics.ConnectionClosed();
        await connection.DisposeAsync();
        if (connection.Actor is { } actor)
        {
            await peers.DisconnectAsync(actor, CancellationToken.None);
        }
    }

    [HubMethodName(HubNames.Register)]
    public async Task<RegisterResponse> Register(RegisterRequest request)
    {
        var connection = Connection;
        if (connection.Actor is not null)
        {
            throw new HubException($"{HubErrors.AlreadyRegistered}: This connection has registered already; open a new connection to register again.");
        }
        PeerRules.EnsureNotReserved(request.PeerId);
        var grant = Context.User.GrantOf(keys);
        // Not cancellable: once the store has registered the association, this connection must know it.
        var result = await peers.RegisterAsync(request.PeerId, request.Incarnation, request.Name, grant, CancellationToken.None);
        connection.Actor = result.Actor;
        connections.Claim(request.PeerId, connection);
        if (Context.ConnectionAborted.IsCancellationRequested)
        {
            // The connection closed while registering, perhaps before OnDisconnected could see the actor.
            await peers.DisconnectAsync(result.Actor, CancellationToken.None);
        }
        return new RegisterResponse
        {
            SessionPresent = result.SessionPresent,
            CurrentRevision = result.CurrentRevision,
            OldestRetainedRevision = result.OldestRetainedRevision,
            Association = result.Actor.Association,
        };
    }

    [HubMethodName(HubNames.Add)]
    public async Task<WireItem> Add(AddRequest request)
    {
        var actor = Connection.RequireActor();
        var command = new AddItem(request.Id, request.Type, request.Fields ?? JsonValues.EmptyObject, actor.PeerId,
            request.ProcessBound, ItemRules.ToLease(request.LeaseSeconds), actor);
        return (await dataspace.AddAsync(command, Started)).Item.ToWire();
    }

    [HubMethodName(HubNames.Update)]
    public async Task<WireItem> Update(UpdateRequest request)
    {
        var actor = Connection.RequireActor();
        var command = new UpdateItem(request.Id, request.Type, request.Fields, request.ExpectedRevision,
            ItemRules.ToLease(request.LeaseSeconds), actor, request.Unreliable);
        return (await dataspace.UpdateAsync(command, Started)).ToWire();
    }

    /// Queues the values and returns: the outcome comes as ValuesApplied, after the events of the
    /// batch that applied them, so a device's values do not wait for one another.
    [HubMethodName(HubNames.SetValues)]
    public async Task SetValues(SetValuesRequest request)
    {
        var connection = Connection;
        var sequence = request.Sequence;
        var entries = request.Values ?? [];
        if (connection.Actor is not { } actor)
        {
            connection.Applied(sequence, ValuesOutcome.RefusedAll(entries.Count, new HubException($"{HubErrors.NotRegistered}: Call Register(peerId, incarnation, name) before SetValues.")));
            return;
        }
        var values = new ValueWrite[entries.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = new ValueWrite(entries[i].ItemId, entries[i].Value);
        }
        var connectionId = Context.ConnectionId;
        try
        {
            await dataspace.EnqueueValuesAsync(new SetValues(values, actor)
            {
                Refused = request.Unreadable is { } why ? new InvalidItemException($"This SetValues could not be read: {why}") : null,
                OnApplied = outcome =>
                {
                    connection.Applied(sequence, outcome);
                    if (outcome.Refused is [var first, ..] && ThrottledWarning.ShouldLog("values:" + connectionId))
                    {
                        HubErrorFilterLog.ValuesRefused(logger, outcome.Refused.Count, sequence, OutboxApplied.CodeOf(first.Error), first.Error.Message);
                    }
                },
            }, Started);
        }
        catch (ServiceStoppingException stopping)
        {
            connection.Applied(sequence, ValuesOutcome.RefusedAll(values.Length, stopping));
        }
    }

    [HubMethodName(HubNames.Delete)]
    public async Task Delete(DeleteRequest request)
    {
        var actor = Connection.RequireActor();
        await dataspace.DeleteAsync(new DeleteItem(request.Id, DeleteReason.Explicit, request.ExpectedRevision, actor), Started);
    }

    [HubMethodName(HubNames.RenewLease)]
    public async Task<WireItem> RenewLease(RenewLeaseRequest request)
    {
        var actor = Connection.RequireActor();
        return (await dataspace.RenewLeaseAsync(new RenewLease(request.Id, ItemRules.ToLease(request.LeaseSeconds), actor), Started)).ToWire();
    }

    [HubMethodName(HubNames.Get)]
    public async Task<WireItem?> Get(Guid id)
    {
        Connection.RequireActor();
        return (await dataspace.GetAsync(id, Context.ConnectionAborted))?.ToWire();
    }

    [HubMethodName(HubNames.Query)]
    public async Task<IReadOnlyList<WireItem>> Query(QueryRequest request)
    {
        Connection.RequireActor();
        var limit = request.Limit ?? limits.Value.DefaultPageSize;
        if (limit < 1 || limit > limits.Value.MaxPageSize)
        {
            throw new InvalidItemException($"limit must be between 1 and {limits.Value.MaxPageSize}.");
        }
        var items = await dataspace.QueryAsync(request.Pattern.ToPattern(), request.After, limit, Context.ConnectionAborted);
        return items.Select(i => i.ToWire()).ToList();
    }

    [HubMethodName(HubNames.Subscribe)]
    public async Task<SubscribeResponse> Subscribe(SubscribeRequest request)
    {
        var connection = Connection;
        connection.RequireActor();
        SubscriptionRules.ValidateId(request.SubscriptionId, itemLimits);
        var pattern = request.Pattern.ToPattern();
        pattern.Validate(itemLimits);
        var options = new SubscriptionOptions(request.CompactValues, request.OwnValues);
        var subscription = connection.AddSubscription(request.SubscriptionId, pattern, options, hubLimits.Value.MaxSubscriptionsPerConnection);
        try
        {
            var revision = await starts.StartAsync(connection, subscription, request.FromRevision, Context.ConnectionAborted);
            return new SubscribeResponse { SubscriptionId = subscription.Id, Revision = revision };
        }
        catch
        {
            connection.RemoveSubscription(subscription.Id);
            throw;
        }
    }

    [HubMethodName(HubNames.Unsubscribe)]
    public bool Unsubscribe(string subscriptionId) => Connection.RemoveSubscription(subscriptionId);

    [HubMethodName(HubNames.Reassert)]
    public async Task<IReadOnlyList<WireItem>> Reassert(IReadOnlyList<ReassertedItemMessage> items)
    {
        var actor = Connection.RequireActor();
        if (items.Any(i => i is null))
        {
            throw new InvalidItemException("A Reassert's list of items holds a null; pass each item as an object.");
        }
        var asserted = items.Select(i => new ReassertedItem(i.Id, i.Type, i.Fields, i.ProcessBound, ItemRules.ToLease(i.LeaseSeconds), i.KnownRevision)).ToList();
        var stored = await peers.ReassertAsync(actor, asserted, Started);
        return stored.Select(i => i.ToWire()).ToList();
    }

    [HubMethodName(HubNames.SyncComplete)]
    public Task<int> SyncComplete() => peers.SyncCompleteAsync(Connection.RequireActor(), Started);
}
