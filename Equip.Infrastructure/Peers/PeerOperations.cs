using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Dataspace;
using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.Peers;

internal sealed class RegisterPeerOperation(string peerId, string incarnation, string name, TimeSpan reconnectWindow)
    : StoreOperation<RegistrationResult>
{
    public override Reads Reads => Reads.PeerOf(peerId);

    protected override async Task<RegistrationResult> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var peer = await context.FindPeerAsync(peerId, cancellationToken);
        var sessionPresent = false;
        if (peer is null)
        {
            peer = Peer.Register(peerId, incarnation, name, epoch: 1, context.Now);
            (await context.DbAsync(cancellationToken)).Peers.Add(peer);
        }
        else
        {
            var registration = peer.Connect(incarnation, name, peer.SyncEpoch + 1, context.Now);
            sessionPresent = registration.SessionPresent;
            if (registration.EndedIncarnation is not null)
            {
                context.Delete([.. context.ItemsOf(peerId).Where(i => i.ProcessBound)], DeleteReason.Bound);
            }
            var latest = context.Now + reconnectWindow;
            foreach (var item in context.ItemsOf(peerId).Where(i => i.LeaseExpiresAt > latest))
            {
                item.TruncateLease(latest);
            }
        }
        return new RegistrationResult(
            new PeerActor(peerId, incarnation, peer.SyncEpoch),
            sessionPresent,
            context.Revision,
            context.PrunedThrough + 1);
    }
}

/// The association ended; nothing happens if a newer association has already replaced it.
internal sealed class DisconnectPeerOperation(PeerActor actor) : StoreOperation<bool>
{
    public override Reads Reads => Reads.PeerOf(actor);

    protected override async Task<bool> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var peer = await context.FindPeerAsync(actor.PeerId, cancellationToken);
        if (peer is null || !peer.IsCurrentAssociation(actor))
        {
            return false;
        }
        peer.Disconnect(context.Now);
        return true;
    }
}

/// Ends the actor's session now, unless a newer association has replaced it.
internal sealed class EndPeerOperation(PeerActor actor) : StoreOperation<bool>
{
    public override Reads Reads => Reads.PeerOf(actor);

    protected override async Task<bool> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var peer = await context.FindPeerAsync(actor.PeerId, cancellationToken);
        if (peer is null || !peer.IsCurrentAssociation(actor) || peer.State == PeerState.Gone)
        {
            return false;
        }
        await PeerEnding.EndAsync(context, peer, cancellationToken);
        return true;
    }
}

/// Ends the sessions of the given peers whose grace period is over when the transaction runs.
internal sealed class ReapPeersOperation(IReadOnlyList<string> candidates, TimeSpan grace) : StoreOperation<int>
{
    protected override async Task<int> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var ended = 0;
        foreach (var peerId in candidates)
        {
            if (await context.FindPeerAsync(peerId, cancellationToken) is { } peer && peer.IsGraceOver(context.Now, grace))
            {
                await PeerEnding.EndAsync(context, peer, cancellationToken);
                ended++;
            }
        }
        return ended;
    }
}

/// At start-up every association of the previous run has failed: connected peers become
/// reconnecting and get the grace period, from now, to come back; they lost the server when it
/// was last alive (ServerLifeMark), when that is known.
internal sealed class RecoverPeersOperation(DateTimeOffset? lastAlive) : StoreOperation<int>
{
    protected override async Task<int> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var connected = await (await context.DbAsync(cancellationToken)).Peers.Where(p => p.State == PeerState.Connected).ToListAsync(cancellationToken);
        connected.ForEach(p => p.LostWithServer(lastAlive ?? context.Now, context.Now));
        return connected.Count;
    }
}

internal static class PeerEnding
{
    public static async Task EndAsync(WriteContext context, Peer peer, CancellationToken cancellationToken)
    {
        var peerId = peer.PeerId;
        context.Delete([.. context.ItemsOf(peerId).Where(i => i.ProcessBound)], DeleteReason.Bound);
        peer.End(context.Now);
    }
}
