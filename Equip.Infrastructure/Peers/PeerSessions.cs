using Equip.Domain.Access;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Cluster;
using Equip.Infrastructure.Dataspace;
using Equip.Infrastructure.Leases;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.Peers;

internal sealed class PeerSessions(
    IDbContextFactory<EquipDbContext> contexts,
    DataspaceWriter writes,
    IOptions<PeerOptions> peerOptions,
    IOptions<LeaseOptions> leaseOptions,
    ItemLimits limits,
    Leadership leadership,
    IServiceProvider services) : IPeerSessions
{
    /// On a cluster's follower every change of a session is made by the leader.
    private ILeaderWrites? Leader => leadership.Follows ? services.GetRequiredService<ILeaderWrites>() : null;

    public async Task<RegistrationResult> RegisterAsync(string peerId, string incarnation, string name, DeviceGrant? grant, CancellationToken cancellationToken)
    {
        PeerRules.ValidateRegistration(peerId, incarnation, name);
        grant?.EnsurePermitsPeer(peerId);
        if (Leader is { } leader)
        {
            return await leader.RegisterAsync(peerId, incarnation, name ?? "", grant, cancellationToken);
        }
        var result = await writes.EnqueueAsync(new RegisterPeerOperation(peerId, incarnation, name ?? "", leaseOptions.Value.ReconnectWindow), cancellationToken);
        return result with { Actor = result.Actor with { Grant = grant } };
    }

    public Task DisconnectAsync(PeerActor peer, CancellationToken cancellationToken) =>
        Leader is { } leader ? leader.DisconnectAsync(peer, end: false, cancellationToken) :
        peerOptions.Value.DisconnectGrace <= TimeSpan.Zero
            ? writes.EnqueueAsync(new EndPeerOperation(peer), cancellationToken)
            : writes.EnqueueAsync(new DisconnectPeerOperation(peer), cancellationToken);

    public Task EndAsync(PeerActor peer, CancellationToken cancellationToken) =>
        Leader is { } leader ? leader.DisconnectAsync(peer, end: true, cancellationToken) :
        writes.EnqueueAsync(new EndPeerOperation(peer), cancellationToken);

    public Task<IReadOnlyList<ItemState>> ReassertAsync(PeerActor peer, IReadOnlyList<ReassertedItem> items, CancellationToken cancellationToken)
    {
        ItemRules.Validate(items, limits);
        return Leader is { } leader ? leader.ReassertAsync(peer, items, cancellationToken) : writes.EnqueueAsync(new ReassertOperation(peer, items), cancellationToken);
    }

    public Task<int> SyncCompleteAsync(PeerActor peer, CancellationToken cancellationToken) =>
        Leader is { } leader ? leader.SyncCompleteAsync(peer, cancellationToken) : writes.EnqueueAsync(new SyncCompleteOperation(peer), cancellationToken);

    public async Task<IReadOnlyList<PeerView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var peers = await db.Peers.AsNoTracking().OrderBy(p => p.PeerId).ToListAsync(cancellationToken);
        return peers.Select(p => p.ToView()).ToList();
    }
}
