using System.Collections.Concurrent;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Cluster;
using Equip.Infrastructure.Components.Links;
using Equip.Web.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Equip.Web.Cluster;

/// The leader's end of the replication channel (docs/scaling.md), at /cluster/replication, for the
/// admin key only: a follower reads the leader's stream of applied batches (Follow) on one
/// connection, and forwards its writes on another, each with the writer's peer identity, so that
/// authority and fencing hold as on the leader. The peers a follower registered are remembered
/// with its connection: when that connection ends, they are disconnected (reconnecting, then
/// reaped after the grace period unless they register again).
[Authorize(Policy = Callers.AdminPolicy)]
internal sealed class ClusterHub(IDataspace dataspace, IPeerSessions sessions, ReplicationSource source, Leadership leadership, FollowerPeers followerPeers,
    LinkStatuses linkStatuses) : Hub
{
    public const string Path = "/cluster/replication";

    public IAsyncEnumerable<ReplicatedBatch> Follow(long after, CancellationToken cancellationToken) =>
        leadership.Follows ? throw new HubException("stopping: this node follows another; follow its leader") : source.FollowAsync(after, cancellationToken);

    public Task<Forwarded<AddResult>> Add(AddItem command) => Run(() => dataspace.AddAsync(command, Context.ConnectionAborted));

    public Task<Forwarded<ItemState>> Update(UpdateItem command) => Run(() => dataspace.UpdateAsync(command, Context.ConnectionAborted));

    public Task<Forwarded<bool>> Delete(DeleteItem command) => Run(async () =>
    {
        await dataspace.DeleteAsync(command, Context.ConnectionAborted);
        return true;
    });

    public Task<Forwarded<ItemState>> RenewLease(RenewLease command) => Run(() => dataspace.RenewLeaseAsync(command, Context.ConnectionAborted));

    public Task<Forwarded<ForwardedOutcome>> SetValues(ForwardedValues values) => Run(async () =>
    {
        var outcome = await dataspace.SetValuesAsync(new SetValues(values.Values, values.By) { SkipUnchanged = values.SkipUnchanged }, Context.ConnectionAborted);
        return new ForwardedOutcome(outcome.Revisions,
            [.. outcome.Refused.Select(r => new ForwardedValueRefusal(r.Index, ForwardedRefusals.Of(r.Error) ?? new ForwardedRefusal("", r.Error.Message)))]);
    });

    public Task<Forwarded<RegistrationResult>> Register(ForwardedRegistration registration) => Run(async () =>
    {
        var result = await sessions.RegisterAsync(registration.PeerId, registration.Incarnation, registration.Name, registration.Grant, Context.ConnectionAborted);
        followerPeers.Add(Context.ConnectionId, result.Actor);
        return result;
    });

    public Task<Forwarded<bool>> Disconnect(PeerActor peer, bool end) => Run(async () =>
    {
        followerPeers.Remove(Context.ConnectionId, peer);
        await (end ? sessions.EndAsync(peer, Context.ConnectionAborted) : sessions.DisconnectAsync(peer, Context.ConnectionAborted));
        return true;
    });

    public Task<Forwarded<IReadOnlyList<ItemState>>> Reassert(PeerActor peer, IReadOnlyList<ReassertedItem> items) =>
        Run(() => sessions.ReassertAsync(peer, items, Context.ConnectionAborted));

    public Task<Forwarded<int>> SyncComplete(PeerActor peer) => Run(() => sessions.SyncCompleteAsync(peer, Context.ConnectionAborted));

    /// Where every link stands, as the leader's engine sees it (a follower shows these).
    public Dictionary<Guid, LinkStatus> LinkStatuses() => linkStatuses.All();

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        foreach (var peer in followerPeers.Take(Context.ConnectionId))
        {
            try
            {
                await sessions.DisconnectAsync(peer);
            }
            catch (Exception error) when (ForwardedRefusals.Of(error) is not null)
            {
                // Already replaced or ended: nothing to disconnect.
            }
        }
    }

    private static async Task<Forwarded<T>> Run<T>(Func<Task<T>> write)
    {
        try
        {
            return new Forwarded<T>(await write(), null);
        }
        catch (Exception error) when (ForwardedRefusals.Of(error) is { } refusal)
        {
            return new Forwarded<T>(default, refusal);
        }
    }
}

/// The peers each follower's connection registered, on the leader.
internal sealed class FollowerPeers
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<(string PeerId, long Association), PeerActor>> _byConnection = new();

    public void Add(string connectionId, PeerActor peer) =>
        _byConnection.GetOrAdd(connectionId, _ => new())[(peer.PeerId, peer.Association)] = peer;

    public void Remove(string connectionId, PeerActor peer)
    {
        if (_byConnection.TryGetValue(connectionId, out var peers))
        {
            peers.TryRemove((peer.PeerId, peer.Association), out _);
        }
    }

    public ICollection<PeerActor> Take(string connectionId) =>
        _byConnection.TryRemove(connectionId, out var peers) ? peers.Values : [];
}
