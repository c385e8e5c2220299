using Equip.Infrastructure.Dataspace;

namespace Equip.Infrastructure.Components.Links;

/// Carries the current source value along each of the links, as the engine asks when a link
/// appears or one of its ends comes back; the batch carries it on from there.
internal sealed class PushLinksOperation(LinkCarrier carrier, IReadOnlyCollection<Guid> linkIds) : MemoryOperation<bool>
{
    protected override bool Run(WriteContext context)
    {
        foreach (var linkId in linkIds)
        {
            carrier.Push(context, linkId);
        }
        return true;
    }
}
