using MessagePack;

namespace Equip.Protocol;

/// Starts a subscription. Without fromRevision the server sends a Snapshot of the matching items,
/// then Changes; with it, Changes replaying the log after that revision, then live ones (or a
/// Snapshot marked resynchronised when the log no longer reaches back that far).
[MessagePackObject]
public sealed record SubscribeRequest
{
    /// Chosen by the client, unique on its connection; names the subscription in callbacks.
    [Key("subscriptionId")] public string SubscriptionId { get; init; } = "";

    /// What to subscribe to.
    [Key("pattern")] public WirePattern Pattern { get; init; } = new();

    /// Replay the log after this revision instead of sending a snapshot.
    [Key("fromRevision")] public long? FromRevision { get; init; }

    /// Receive value changes as compact Values entries instead of whole-item Changes events.
    [Key("compactValues")] public bool CompactValues { get; init; }

    /// Receive also the value changes this connection made itself (with SetValues); without it
    /// they are not sent back.
    [Key("ownValues")] public bool OwnValues { get; init; }
}

/// The answer to Subscribe, sent once the subscription's first message is queued.
[MessagePackObject]
public sealed record SubscribeResponse
{
    /// The subscription's id.
    [Key("subscriptionId")] public string SubscriptionId { get; init; } = "";

    /// The revision the subscription starts from: Changes follow with higher revisions.
    [Key("revision")] public long Revision { get; init; }
}

/// Client callback Snapshot: the items matching the subscription at a revision.
[MessagePackObject]
public sealed record SnapshotMessage
{
    /// The subscription's id.
    [Key("subscriptionId")] public string SubscriptionId { get; init; } = "";

    /// The revision the snapshot was read at.
    [Key("revision")] public long Revision { get; init; }

    /// The matching items, in id order.
    [Key("items")] public IReadOnlyList<WireItem> Items { get; init; } = [];

    /// True when the client asked to replay from a revision the log no longer holds: replace the
    /// replica with these items.
    [Key("resynchronised")] public bool Resynchronised { get; init; }
}

/// Client callback Changes: events of one subscription in revision order, each after the last.
[MessagePackObject]
public sealed record ChangesMessage
{
    /// The subscription's id.
    [Key("subscriptionId")] public string SubscriptionId { get; init; } = "";

    /// The events.
    [Key("events")] public IReadOnlyList<WireEvent> Events { get; init; } = [];
}

/// One change of an item.
[MessagePackObject]
public sealed record WireEvent
{
    /// The revision of the change.
    [Key("revision")] public long Revision { get; init; }

    /// "added", "updated" or "deleted".
    [Key("kind")] public string Kind { get; init; } = "";

    /// For deletes: "explicit", "bound" or "leaseExpired".
    [Key("reason")] public string? Reason { get; init; }

    /// The item after the change (for a delete, its last state).
    [Key("item")] public WireItem Item { get; init; } = new();

    /// Whether the item matches the subscription's pattern after the change. False for an item
    /// that no longer matches (its fields changed): remove it from the replica.
    [Key("matches")] public bool Matches { get; init; }
}
