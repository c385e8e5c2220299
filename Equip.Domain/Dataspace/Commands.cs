using System.Text.Json;
using Equip.Domain.Peers;

namespace Equip.Domain.Dataspace;

/// Adds an item, or re-adds (updates and renews) the item with the same id.
public sealed record AddItem(
    Guid? Id,
    string Type,
    JsonElement Fields,
    string? Responsible = null,
    bool ProcessBound = false,
    TimeSpan? Lease = null,
    PeerActor? By = null);

/// Replaces an item's fields (and type, when given); fails when ExpectedRevision is stale.
public sealed record UpdateItem(
    Guid Id,
    string? Type,
    JsonElement Fields,
    long? ExpectedRevision = null,
    TimeSpan? Lease = null,
    PeerActor? By = null,
    bool Unreliable = false);

public sealed record DeleteItem(Guid Id, DeleteReason Reason = DeleteReason.Explicit, long? ExpectedRevision = null, PeerActor? By = null);

public sealed record RenewLease(Guid Id, TimeSpan? Lease = null, PeerActor? By = null);

/// The outcome of an add: the item as stored, and whether the id was new.
public sealed record AddResult(ItemState Item, bool Created);
