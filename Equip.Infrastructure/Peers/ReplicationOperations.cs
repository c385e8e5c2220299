using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Components;
using Equip.Infrastructure.Dataspace;

namespace Equip.Infrastructure.Peers;

/// A reconnecting peer says which items it holds. Missing ones are added (unless deleted by
/// someone since the peer saw them), ones it changed are updated, ones changed on the server since
/// the peer saw them are kept; every one is marked as asserted in this registration and has its
/// lease restarted. The answer holds the items as stored; one left out no longer exists. What the
/// peer may not publish (ComponentAuthority) is neither added nor changed: a missing one is left
/// out (so the peer drops it), an existing one is answered as stored. One such item does not
/// refuse the whole call, which would leave the peer reconnecting for ever.
internal sealed class ReassertOperation(PeerActor actor, IReadOnlyList<ReassertedItem> items) : StoreOperation<IReadOnlyList<ItemState>>
{
    protected override async Task<IReadOnlyList<ItemState>> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var peer = context.Author(actor)!;
        var results = new List<ItemState>(items.Count);
        foreach (var asserted in items)
        {
            var permitted = ComponentAuthority.PeerMayWrite(actor, asserted.Type, asserted.Fields);
            var add = new AddItem(asserted.Id, asserted.Type, asserted.Fields, actor.PeerId, asserted.ProcessBound, asserted.Lease, actor);
            var existing = context.FindItem(asserted.Id);
            if (existing is null && await WasDeletedForGoodAsync(context, asserted, cancellationToken))
            {
                continue; // deleted by someone since the peer saw it: it does not come back
            }
            if (existing is null && !permitted)
            {
                continue;
            }
            if (existing is null)
            {
                var item = Item.Create(add, asserted.Id, context.NextRevision(), context.Now);
                item.MarkAsserted(peer.SyncEpoch);
                context.Insert(item);
                context.Record(ChangeEvent.Added(item.ToState(), context.Now));
                results.Add(item.ToState());
                continue;
            }
            if (existing.Responsible != actor.PeerId)
            {
                results.Add(existing.ToState()); // another peer's item: not this peer's to assert
                continue;
            }
            if (permitted && existing.Revision <= asserted.KnownRevision && !existing.HasSameContent(asserted.Type, asserted.Fields, asserted.ProcessBound))
            {
                existing.Readd(add, context.NextRevision(), context.Now);
                context.Record(ChangeEvent.Readd(existing.ToState(), context.Now));
            }
            else
            {
                existing.RestartLease(context.Now);
            }
            existing.MarkAsserted(peer.SyncEpoch);
            results.Add(existing.ToState());
        }
        return results;
    }

    /// Items removed because the peer's session ended (reason bound) are restored by re-assertion;
    /// items deleted explicitly or by lease expiry after the peer last saw them are not.
    private static async Task<bool> WasDeletedForGoodAsync(WriteContext context, ReassertedItem asserted, CancellationToken cancellationToken)
    {
        if (asserted.KnownRevision <= 0)
        {
            return false;
        }
        var last = await context.LastEventAfterAsync(asserted.Id, asserted.KnownRevision, cancellationToken);
        return last is { Kind: ChangeKind.Deleted, Reason: not DeleteReason.Bound };
    }
}

/// Mark and sweep: the items this incarnation asserted before and not since it registered are
/// ones it deleted while the server could not hear it (see Peer.LetGoOf).
internal sealed class SyncCompleteOperation(PeerActor actor) : StoreOperation<int>
{
    protected override async Task<int> RunAsync(WriteContext context, CancellationToken cancellationToken)
    {
        var peer = context.Author(actor)!;
        var letGo = context.ItemsOf(peer.PeerId).Where(i => peer.LetGoOf(i.AssertedEpoch)).ToList();
        return context.Delete(letGo, DeleteReason.Explicit);
    }
}
