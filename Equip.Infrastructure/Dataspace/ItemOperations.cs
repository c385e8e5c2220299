using Equip.Domain.Access;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Components;

namespace Equip.Infrastructure.Dataspace;

internal sealed class AddItemOperation(AddItem command) : MemoryOperation<AddResult>
{
    protected override AddResult Run(WriteContext context)
    {
        var author = context.Author(command.By);
        ComponentAuthority.EnsurePeerMayWrite(command.By, command.Type, command.Fields);
        var existing = command.Id is { } id ? context.FindItem(id) : null;
        if (existing is not null)
        {
            AccessRules.EnsureMayReadd(existing, command);
            existing.Readd(command, context.NextRevision(), context.Now);
            Assertion.Mark(existing, author);
            context.Record(ChangeEvent.Readd(existing.ToState(), context.Now));
            return new AddResult(existing.ToState(), Created: false);
        }
        var item = Item.Create(command, command.Id ?? Guid.CreateVersion7(), context.NextRevision(), context.Now);
        Assertion.Mark(item, author);
        context.Insert(item);
        context.Record(ChangeEvent.Added(item.ToState(), context.Now));
        return new AddResult(item.ToState(), Created: true);
    }
}

/// Any write by an item's responsible peer shows that the peer still has the item: sync
/// complete will not sweep it.
internal static class Assertion
{
    public static void Mark(Item item, Peer? author)
    {
        if (author is not null && item.Responsible == author.PeerId)
        {
            item.MarkAsserted(author.SyncEpoch);
        }
    }
}

internal sealed class UpdateItemOperation(UpdateItem command) : MemoryOperation<ItemState>
{
    protected override ItemState Run(WriteContext context)
    {
        var author = context.Author(command.By);
        var item = context.FindItem(command.Id) ?? throw new ItemNotFoundException(command.Id);
        AccessRules.EnsureMayChange(item, command.By);
        ComponentAuthority.EnsurePeerMayWrite(command.By, command.Type ?? item.Type, command.Fields);
        item.EnsureRevision(command.ExpectedRevision);
        item.Update(command, context.NextRevision(), context.Now);
        Assertion.Mark(item, author);
        if (command.Unreliable)
        {
            context.MarkUnreliable(item);
        }
        context.Record(ChangeEvent.Updated(item.ToState(), context.Now, command.Unreliable));
        return item.ToState();
    }
}

internal sealed class DeleteItemOperation(DeleteItem command) : MemoryOperation<ItemState>
{
    protected override ItemState Run(WriteContext context)
    {
        context.Author(command.By);
        var item = context.FindItem(command.Id) ?? throw new ItemNotFoundException(command.Id);
        AccessRules.EnsureMayChange(item, command.By);
        item.EnsureRevision(command.ExpectedRevision);
        context.Remove(item);
        context.Record(ChangeEvent.Deleted(item.ToState(), context.NextRevision(), command.Reason, context.Now));
        return item.ToState();
    }
}

internal sealed class RenewLeaseOperation(RenewLease command) : MemoryOperation<ItemState>
{
    protected override ItemState Run(WriteContext context)
    {
        var author = context.Author(command.By);
        var item = context.FindItem(command.Id) ?? throw new ItemNotFoundException(command.Id);
        AccessRules.EnsureMayChange(item, command.By);
        item.RenewLease(command.Lease, context.Now);
        Assertion.Mark(item, author);
        return item.ToState();
    }
}

/// Deletes those of the given items whose lease has still expired when the transaction runs
/// (a renewal may have come in between the sweep's read and this write).
internal sealed class ExpireLeasesOperation(IReadOnlyList<Guid> candidates) : MemoryOperation<int>
{
    protected override int Run(WriteContext context)
    {
        var expired = 0;
        foreach (var id in candidates)
        {
            if (context.FindItem(id) is { } item && item.IsExpired(context.Now))
            {
                context.Remove(item);
                context.Record(ChangeEvent.Deleted(item.ToState(), context.NextRevision(), DeleteReason.LeaseExpired, context.Now));
                expired++;
            }
        }
        return expired;
    }
}
