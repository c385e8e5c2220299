using Equip.Domain.Access;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;

namespace Equip.Infrastructure.Cluster;

/// The leader's write path as a follower reaches it (docs/scaling.md): every write made on a
/// follower (REST, hub, dashboard) is made on the leader, with the writer's peer identity, and
/// answered once the follower has applied it. Implemented by the replication channel.
public interface ILeaderWrites
{
    Task<AddResult> AddAsync(AddItem command, CancellationToken cancellationToken);

    Task<ItemState> UpdateAsync(UpdateItem command, CancellationToken cancellationToken);

    Task DeleteAsync(DeleteItem command, CancellationToken cancellationToken);

    Task<ItemState> RenewLeaseAsync(RenewLease command, CancellationToken cancellationToken);

    /// Answers with the outcome once applied; OnApplied is called too, in the order the calls were made.
    Task<ValuesOutcome> SetValuesAsync(SetValues command, CancellationToken cancellationToken);

    Task<RegistrationResult> RegisterAsync(string peerId, string incarnation, string name, DeviceGrant? grant, CancellationToken cancellationToken);

    /// The association ended (end: at once, process-bound items deleted; else reconnecting).
    Task DisconnectAsync(PeerActor peer, bool end, CancellationToken cancellationToken);

    Task<IReadOnlyList<ItemState>> ReassertAsync(PeerActor peer, IReadOnlyList<ReassertedItem> items, CancellationToken cancellationToken);

    Task<int> SyncCompleteAsync(PeerActor peer, CancellationToken cancellationToken);
}

/// What the leader sends its followers, in revision order: the events of one or more writer turns,
/// the term they were made in, how far the store holds them (flushed through, pruned through) and
/// the crash gaps in their span.
public sealed record ReplicatedBatch(long Term, IReadOnlyList<ChangeEvent> Events, long Flushed, long PrunedThrough, IReadOnlyList<RevisionRange> Gaps);
