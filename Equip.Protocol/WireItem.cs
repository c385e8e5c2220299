using System.Text.Json;
using MessagePack;

namespace Equip.Protocol;

/// An item as the protocol carries it.
[MessagePackObject]
public sealed record WireItem
{
    /// The item's id.
    [Key("id")] public Guid Id { get; init; }

    /// Its dotted type name.
    [Key("type")] public string Type { get; init; } = "";

    /// Its fields: a JSON object (a map in MessagePack).
    [Key("fields")] public JsonElement Fields { get; init; }

    /// The peer responsible for it, if any.
    [Key("responsible")] public string? Responsible { get; init; }

    /// Whether it is deleted when its responsible peer's session ends.
    [Key("processBound")] public bool ProcessBound { get; init; }

    /// When its lease ends, if it has one.
    [Key("leaseExpiresAt")] public DateTimeOffset? LeaseExpiresAt { get; init; }

    /// The global revision of its last change.
    [Key("revision")] public long Revision { get; init; }

    /// When it was added.
    [Key("createdAt")] public DateTimeOffset CreatedAt { get; init; }

    /// When it last changed.
    [Key("updatedAt")] public DateTimeOffset UpdatedAt { get; init; }
}
