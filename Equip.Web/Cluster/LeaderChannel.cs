using System.Threading.Channels;
using Equip.Domain.Access;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Access;
using Equip.Infrastructure.Cluster;
using Equip.Infrastructure.Components.Links;
using Equip.Infrastructure.Dataspace;
using Equip.Infrastructure.Dataspace.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;

namespace Equip.Web.Cluster;

/// A follower's end of the replication channel (docs/scaling.md): two connections to the
/// leader's ClusterHub with the admin key, one for the stream (FollowerService reads it), one for
/// the writes made on this node. A write is answered once this node has applied the revision the
/// leader gave it (at most Equip:Cluster:LockTimeout later), so that a client reads its own
/// writes from the node it wrote through. Values keep their order: their outcomes are handed to
/// OnApplied in the order the calls were made.
internal sealed class LeaderChannel(IOptions<AuthOptions> auth, IOptions<ClusterOptions> options, ILiveItems live) : ILeaderWrites, IAsyncDisposable
{
    private readonly Channel<(SetValues Command, Task<ValuesOutcome> Outcome)> _outcomes = Channel.CreateUnbounded<(SetValues, Task<ValuesOutcome>)>(new UnboundedChannelOptions { SingleReader = true });
    private HubConnection? _writes;
    private Task _handing = Task.CompletedTask;

    /// Raised when the write connection is lost: the follower's peers are disconnected on the leader.
    public event Func<Exception?, Task>? Lost;

    public HubConnection Connect(Uri leader)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(leader, ClusterHub.Path), http => http.AccessTokenProvider = () => Task.FromResult(auth.Value.AdminKey))
            .AddJsonProtocol(o => ClusterJson.Configure(o.PayloadSerializerOptions))
            .Build();
        connection.ServerTimeout = options.Value.LockTimeout * 2;
        connection.KeepAliveInterval = options.Value.LockTimeout / 2;
        return connection;
    }

    public async Task StartAsync(Uri leader, CancellationToken cancellationToken)
    {
        var writes = Connect(leader);
        writes.Closed += error => Lost?.Invoke(error) ?? Task.CompletedTask;
        try
        {
            await writes.StartAsync(cancellationToken);
        }
        catch
        {
            await writes.DisposeAsync(); // a try that failed leaves nothing behind: the service tries again
            throw;
        }
        _writes = writes;
        _handing = HandOutcomesAsync();
    }

    public async Task<AddResult> AddAsync(AddItem command, CancellationToken cancellationToken)
    {
        var result = await CallAsync<AddResult>("Add", [command], cancellationToken);
        await AppliedAsync(result.Item.Revision, cancellationToken);
        return result;
    }

    public async Task<ItemState> UpdateAsync(UpdateItem command, CancellationToken cancellationToken) =>
        await AppliedAsync(await CallAsync<ItemState>("Update", [command], cancellationToken), cancellationToken);

    public Task DeleteAsync(DeleteItem command, CancellationToken cancellationToken) => CallAsync<bool>("Delete", [command], cancellationToken);

    public Task<ItemState> RenewLeaseAsync(RenewLease command, CancellationToken cancellationToken) =>
        CallAsync<ItemState>("RenewLease", [command], cancellationToken);

    public Task<ValuesOutcome> SetValuesAsync(SetValues command, CancellationToken cancellationToken)
    {
        var outcome = command.Refused is { } refused
            ? Task.FromResult(ValuesOutcome.RefusedAll(command.Values.Count, refused))
            : ForwardValuesAsync(command, cancellationToken);
        _outcomes.Writer.TryWrite((command, outcome));
        return outcome;
    }

    private async Task<ValuesOutcome> ForwardValuesAsync(SetValues command, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await CallAsync<ForwardedOutcome>("SetValues", [new ForwardedValues(command.Values, command.By, command.SkipUnchanged)], cancellationToken);
            if (outcome.Revisions.Length > 0)
            {
                await live.WaitForAsync(outcome.Revisions.Max(), options.Value.LockTimeout, cancellationToken);
            }
            return new ValuesOutcome(outcome.Revisions, [.. outcome.Refused.Select(r => new ValueRefusal(r.Index, ForwardedRefusals.Rebuild(r.Refusal)))]);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return ValuesOutcome.RefusedAll(command.Values.Count, error is DataspaceException or ServiceStoppingException ? error : new ServiceStoppingException());
        }
    }

    /// Hands each outcome to its OnApplied, in the order the calls were made.
    private async Task HandOutcomesAsync()
    {
        await foreach (var (command, outcome) in _outcomes.Reader.ReadAllAsync())
        {
            try
            {
                command.OnApplied?.Invoke(await outcome);
            }
            catch (Exception error) when (error is OperationCanceledException or ServiceStoppingException)
            {
                command.OnApplied?.Invoke(ValuesOutcome.RefusedAll(command.Values.Count, new ServiceStoppingException()));
            }
        }
    }

    public async Task<RegistrationResult> RegisterAsync(string peerId, string incarnation, string name, DeviceGrant? grant, CancellationToken cancellationToken)
    {
        var result = await CallAsync<RegistrationResult>("Register", [new ForwardedRegistration(peerId, incarnation, name, grant)], cancellationToken);
        await live.WaitForAsync(result.CurrentRevision, options.Value.LockTimeout, cancellationToken);
        return result with { Actor = result.Actor with { Grant = grant } };
    }

    public Task DisconnectAsync(PeerActor peer, bool end, CancellationToken cancellationToken) =>
        CallAsync<bool>("Disconnect", [peer, end], cancellationToken);

    public async Task<IReadOnlyList<ItemState>> ReassertAsync(PeerActor peer, IReadOnlyList<ReassertedItem> items, CancellationToken cancellationToken)
    {
        var states = await CallAsync<IReadOnlyList<ItemState>>("Reassert", [peer, items], cancellationToken);
        if (states.Count > 0)
        {
            await live.WaitForAsync(states.Max(s => s.Revision), options.Value.LockTimeout, cancellationToken);
        }
        return states;
    }

    public Task<int> SyncCompleteAsync(PeerActor peer, CancellationToken cancellationToken) => CallAsync<int>("SyncComplete", [peer], cancellationToken);

    /// Where every link stands on the leader.
    public async Task<Dictionary<Guid, LinkStatus>> LinkStatusesAsync(CancellationToken cancellationToken) =>
        _writes is { State: HubConnectionState.Connected } writes
            ? await writes.InvokeAsync<Dictionary<Guid, LinkStatus>>("LinkStatuses", cancellationToken)
            : [];

    private async Task<ItemState> AppliedAsync(ItemState state, CancellationToken cancellationToken)
    {
        await AppliedAsync(state.Revision, cancellationToken);
        return state;
    }

    private Task AppliedAsync(long revision, CancellationToken cancellationToken) => live.WaitForAsync(revision, options.Value.LockTimeout, cancellationToken);

    /// One forwarded write; a channel that is down is the server stopping for the caller (503,
    /// hub error stopping): the follower restarts and the client goes to another node.
    private async Task<T> CallAsync<T>(string method, object?[] arguments, CancellationToken cancellationToken)
    {
        if (_writes is not { State: HubConnectionState.Connected } writes)
        {
            throw new ServiceStoppingException();
        }
        Forwarded<T> answer;
        try
        {
            answer = await writes.InvokeCoreAsync<Forwarded<T>>(method, arguments, cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new ServiceStoppingException();
        }
        return ForwardedRefusals.Unwrap(answer);
    }

    public async ValueTask DisposeAsync()
    {
        _outcomes.Writer.TryComplete();
        await _handing;
        if (_writes is not null)
        {
            await _writes.DisposeAsync();
        }
    }
}
