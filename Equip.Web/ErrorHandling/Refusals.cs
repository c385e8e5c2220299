using Equip.Domain.Access;
using Equip.Domain.Components;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Access;
using Equip.Infrastructure.Dataspace;
using Equip.Protocol;

namespace Equip.Web.ErrorHandling;

/// How one kind of refusal reads on each front door: its HTTP status and problem title (REST),
/// and its code (hub errors, the value lane's refusals).
internal sealed record Refusal(int Status, string Title, string HubCode);

/// The one table of refusals: every exception that is the client's mistake (or a state the client
/// must know of, such as a stopping server) and how REST and the hub answer it. Anything not in
/// it is the server's own failure: a 500, or a hub error without a code.
internal static class Refusals
{
    private static readonly Dictionary<Type, Refusal> Table = new()
    {
        [typeof(InvalidItemException)] = new(StatusCodes.Status400BadRequest, "Invalid item", HubErrors.Invalid),
        [typeof(InvalidPeerException)] = new(StatusCodes.Status400BadRequest, "Invalid peer", HubErrors.Invalid),
        [typeof(LimitReachedException)] = new(StatusCodes.Status400BadRequest, "Limit reached", HubErrors.LimitReached),
        [typeof(ItemNotFoundException)] = new(StatusCodes.Status404NotFound, "Item not found", HubErrors.NotFound),
        [typeof(DeviceKeyNotFoundException)] = new(StatusCodes.Status404NotFound, "Key not found", HubErrors.NotFound),
        [typeof(ComponentNotFoundException)] = new(StatusCodes.Status404NotFound, "Component not found", HubErrors.NotFound),
        [typeof(NotPermittedException)] = new(StatusCodes.Status403Forbidden, "Forbidden", HubErrors.Forbidden),
        [typeof(NotResponsibleException)] = new(StatusCodes.Status403Forbidden, "Not the item's responsible peer", HubErrors.NotResponsible),
        [typeof(ItemOwnedException)] = new(StatusCodes.Status409Conflict, "Item has another responsible", HubErrors.Owned),
        [typeof(PropertyReadOnlyException)] = new(StatusCodes.Status409Conflict, "Property is read-only", HubErrors.Invalid),
        [typeof(ItemHasNoLeaseException)] = new(StatusCodes.Status409Conflict, "Item has no lease", HubErrors.NoLease),
        [typeof(StaleIncarnationException)] = new(StatusCodes.Status409Conflict, "Stale incarnation", HubErrors.StaleIncarnation),
        [typeof(ChangeLogCompactedException)] = new(StatusCodes.Status410Gone, "Revision no longer retained", HubErrors.Compacted),
        [typeof(RevisionMismatchException)] = new(StatusCodes.Status412PreconditionFailed, "Revision mismatch", HubErrors.RevisionMismatch),
        [typeof(ServiceStoppingException)] = new(StatusCodes.Status503ServiceUnavailable, "Server stopping", HubErrors.Stopping),
        [typeof(CommitOutcomeUnknownException)] = new(StatusCodes.Status503ServiceUnavailable, "Write outcome unknown", HubErrors.OutcomeUnknown),
    };

    /// The kinds of refusal the table knows (for the test that every DataspaceException has a row).
    public static IEnumerable<Type> Known => Table.Keys;

    /// How the error is answered, or null when it is the server's own failure.
    public static Refusal? Of(Exception error) => Table.GetValueOrDefault(error.GetType());
}
