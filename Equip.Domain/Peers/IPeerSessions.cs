using Equip.Domain.Access;
using Equip.Domain.Dataspace;

namespace Equip.Domain.Peers;

/// The lifecycle of peer associations, as the store keeps it.
public interface IPeerSessions
{
    /// Registers an association; ends a replaced incarnation at once (its process-bound items
    /// deleted) and cuts the peer's leases to the reconnect window until it re-asserts them. A
    /// grant (the connection's device key) must permit the peer id; the actor carries it.
    Task<RegistrationResult> RegisterAsync(string peerId, string incarnation, string name, DeviceGrant? grant, CancellationToken cancellationToken = default);

    /// Registers with the admin's rights (no device key bounds it).
    Task<RegistrationResult> RegisterAsync(string peerId, string incarnation, string name, CancellationToken cancellationToken = default) =>
        RegisterAsync(peerId, incarnation, name, null, cancellationToken);

    /// The association ended: the peer is reconnecting until the grace period ends it.
    Task DisconnectAsync(PeerActor peer, CancellationToken cancellationToken = default);

    /// Ends the session now: process-bound items are deleted with reason bound.
    Task EndAsync(PeerActor peer, CancellationToken cancellationToken = default);

    /// The peer says these are its items: missing ones are added, stale ones updated, newer ones
    /// kept, and each is marked as asserted and has its lease renewed.
    Task<IReadOnlyList<ItemState>> ReassertAsync(PeerActor peer, IReadOnlyList<ReassertedItem> items, CancellationToken cancellationToken = default);

    /// Deletes the peer's items that were not asserted since it registered; returns how many.
    Task<int> SyncCompleteAsync(PeerActor peer, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PeerView>> ListAsync(CancellationToken cancellationToken = default);
}

public sealed record RegistrationResult(PeerActor Actor, bool SessionPresent, long CurrentRevision, long OldestRetainedRevision);

/// An item as its responsible peer holds it, with the revision the peer last saw of it (0 when the
/// peer made it while disconnected).
public sealed record ReassertedItem(Guid Id, string Type, System.Text.Json.JsonElement Fields, bool ProcessBound, TimeSpan? Lease, long KnownRevision);
