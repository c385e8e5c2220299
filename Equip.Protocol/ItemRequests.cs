using System.Text.Json;
using MessagePack;

namespace Equip.Protocol;

/// Adds an item (the registered peer becomes responsible), or re-adds the item with this id.
[MessagePackObject]
public sealed record AddRequest
{
    /// The id to use; a new one is made when absent. Giving one makes the add idempotent.
    [Key("id")] public Guid? Id { get; init; }

    /// The dotted type name, required.
    [Key("type")] public string Type { get; init; } = "";

    /// A JSON object; an empty object when absent.
    [Key("fields")] public JsonElement? Fields { get; init; }

    /// Delete the item when this peer's session ends.
    [Key("processBound")] public bool ProcessBound { get; init; }

    /// A lease in seconds, renewed by a re-add or RenewLease.
    [Key("leaseSeconds")] public double? LeaseSeconds { get; init; }
}

/// Replaces an item's fields.
[MessagePackObject]
public sealed record UpdateRequest
{
    /// The item's id.
    [Key("id")] public Guid Id { get; init; }

    /// A new type; the current one is kept when absent.
    [Key("type")] public string? Type { get; init; }

    /// The new fields, a JSON object.
    [Key("fields")] public JsonElement Fields { get; init; }

    /// Refuse unless the item is still at this revision.
    [Key("expectedRevision")] public long? ExpectedRevision { get; init; }

    /// Start a new lease of this many seconds.
    [Key("leaseSeconds")] public double? LeaseSeconds { get; init; }

    /// A high-rate value (a property value): receivers that lag get only the latest of these.
    [Key("unreliable")] public bool Unreliable { get; init; }
}

/// Deletes an item.
[MessagePackObject]
public sealed record DeleteRequest
{
    /// The item's id.
    [Key("id")] public Guid Id { get; init; }

    /// Refuse unless the item is still at this revision.
    [Key("expectedRevision")] public long? ExpectedRevision { get; init; }
}

/// Renews an item's lease.
[MessagePackObject]
public sealed record RenewLeaseRequest
{
    /// The item's id.
    [Key("id")] public Guid Id { get; init; }

    /// The new lease length; the item's own when absent.
    [Key("leaseSeconds")] public double? LeaseSeconds { get; init; }
}

/// Reads one page of the items that match a pattern, in id order.
[MessagePackObject]
public sealed record QueryRequest
{
    /// The pattern.
    [Key("pattern")] public WirePattern Pattern { get; init; } = new();

    /// Start after this id (the last id of the previous page).
    [Key("after")] public Guid? After { get; init; }

    /// The page size (server default when absent).
    [Key("limit")] public int? Limit { get; init; }
}

/// Selects items: a type (exact, or a prefix ending in '*'), field equalities, a responsible peer.
[MessagePackObject]
public sealed record WirePattern
{
    /// An exact type, or a prefix ending in '*'; "*" matches every item.
    [Key("type")] public string Type { get; init; } = "*";

    /// Fields that must be present with equal values (numbers compare by value).
    [Key("fields")] public Dictionary<string, JsonElement>? Fields { get; init; }

    /// Only items this peer is responsible for.
    [Key("responsible")] public string? Responsible { get; init; }
}

/// An item a reconnecting peer holds, re-asserted before it says sync complete.
[MessagePackObject]
public sealed record ReassertedItemMessage
{
    /// The item's id.
    [Key("id")] public Guid Id { get; init; }

    /// Its type.
    [Key("type")] public string Type { get; init; } = "";

    /// Its fields as the peer holds them.
    [Key("fields")] public JsonElement Fields { get; init; }

    /// Whether it is process-bound.
    [Key("processBound")] public bool ProcessBound { get; init; }

    /// Its lease length in seconds, if it has one.
    [Key("leaseSeconds")] public double? LeaseSeconds { get; init; }

    /// The revision of the item the peer last saw (0 if it made the item while disconnected):
    /// when the server's is newer, the server's version is kept.
    [Key("knownRevision")] public long KnownRevision { get; init; }
}
