using System.Text.Json;

namespace Equip.Domain.Dataspace;

/// An immutable copy of an item as it was at one revision: what readers and events carry.
public sealed record ItemState(
    Guid Id,
    string Type,
    JsonElement Fields,
    string? Responsible,
    bool ProcessBound,
    DateTimeOffset? LeaseExpiresAt,
    long Revision,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
