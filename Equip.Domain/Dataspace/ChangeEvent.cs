using Equip.Domain.Peers;

namespace Equip.Domain.Dataspace;

public enum ChangeKind
{
    Added,
    Updated,
    Deleted,
}

public enum DeleteReason
{
    Explicit,
    Bound,
    LeaseExpired,
}

/// One entry of the change log. Reason is set on deletes only; Item is the state after the change
/// (for a delete, the last state the item had).
/// Unreliable marks a high-rate value update that a lagging receiver may skip for a later one.
/// Readded marks an update made by adding (or re-asserting) an item that existed: its publisher
/// announced it again, as when a component is relaunched. It is known in the server process
/// only (the wire and the stored log show an update).
/// ValueOnly marks a value change (SetValues, a link carrying a value): an unreliable update of
/// the item's "value" field alone, which subscribers may receive as a compact value entry.
/// By is the peer association the change came from (null for the admin and the server's
/// engines), so that a connection need not be sent the echo of its own values.
public sealed record ChangeEvent(long Revision, ChangeKind Kind, DeleteReason? Reason, ItemState Item, DateTimeOffset OccurredAt, bool Unreliable = false, bool Readded = false)
{
    public bool ValueOnly { get; init; }

    public PeerActor? By { get; init; }

    public static ChangeEvent ValueSet(ItemState item, PeerActor? by) =>
        new(item.Revision, ChangeKind.Updated, null, item, item.UpdatedAt, Unreliable: true) { ValueOnly = true, By = by };

    public static ChangeEvent Added(ItemState item, DateTimeOffset at) => new(item.Revision, ChangeKind.Added, null, item, at);

    public static ChangeEvent Updated(ItemState item, DateTimeOffset at, bool unreliable = false) =>
        new(item.Revision, ChangeKind.Updated, null, item, at, unreliable);

    public static ChangeEvent Readd(ItemState item, DateTimeOffset at) => new(item.Revision, ChangeKind.Updated, null, item, at, Readded: true);

    public static ChangeEvent Deleted(ItemState item, long revision, DeleteReason reason, DateTimeOffset at) =>
        new(revision, ChangeKind.Deleted, reason, item, at);
}

/// The items matching a pattern as they were at one revision.
public sealed record DataspaceSnapshot(IReadOnlyList<ItemState> Items, long Revision);

/// A page of the change log and the revision the dataspace is at. Gaps are the revision ranges in
/// the page's span that a server crash skipped (their changes, written behind, may be lost): a
/// reader that sees revisions jump across one knows it was not sent those events for another reason.
public sealed record ChangePage(IReadOnlyList<ChangeEvent> Events, long CurrentRevision, IReadOnlyList<RevisionRange> Gaps)
{
    public ChangePage(IReadOnlyList<ChangeEvent> events, long currentRevision)
        : this(events, currentRevision, [])
    {
    }
}

/// Revisions After+1 through Through.
public sealed record RevisionRange(long After, long Through);
