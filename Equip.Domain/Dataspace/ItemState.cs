using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Equip.Domain.Dataspace;

/// An immutable copy of an item as it was at one revision: what readers and events carry.
/// A state made by a value change (WithValue) shares the fields of the state before it and keeps
/// the new value beside them: the fields with the value in place are written only when someone
/// reads Fields, so a value costs no JSON work on its way through the writer and the fan-out.
public sealed class ItemState : IEquatable<ItemState>
{
    private readonly JsonElement _base;
    private readonly JsonElement? _value;
    private StrongBox<JsonElement>? _fields; // a reference, so that threads racing to write it out cannot tear it

    public ItemState(Guid id, string type, JsonElement fields, string? responsible, bool processBound,
        DateTimeOffset? leaseExpiresAt, long revision, DateTimeOffset createdAt, DateTimeOffset updatedAt)
        : this(id, type, fields, null, responsible, processBound, leaseExpiresAt, revision, createdAt, updatedAt)
    {
    }

    private ItemState(Guid id, string type, JsonElement fields, JsonElement? value, string? responsible, bool processBound,
        DateTimeOffset? leaseExpiresAt, long revision, DateTimeOffset createdAt, DateTimeOffset updatedAt)
    {
        Id = id;
        Type = type;
        _base = fields;
        _value = value;
        Responsible = responsible;
        ProcessBound = processBound;
        LeaseExpiresAt = leaseExpiresAt;
        Revision = revision;
        CreatedAt = createdAt;
        UpdatedAt = updatedAt;
    }

    public Guid Id { get; }
    public string Type { get; }

    /// The fields, with a value set in place written into them (once, on the first read).
    public JsonElement Fields => _value is { } value ? (_fields ??= new StrongBox<JsonElement>(JsonValues.WithValue(_base, value))).Value : _base;

    public string? Responsible { get; }
    public bool ProcessBound { get; }
    public DateTimeOffset? LeaseExpiresAt { get; }
    public long Revision { get; }
    public DateTimeOffset CreatedAt { get; }
    public DateTimeOffset UpdatedAt { get; }

    /// The top-level field "value", read without writing the fields out; null when there is none.
    /// (Part of Fields, so not written on its own.)
    [JsonIgnore]
    public JsonElement? Value => _value ?? JsonValues.ValueOf(_base);

    /// An item whose value was set in place: the same fields but for "value", a new revision.
    public static ItemState Of(Guid id, string type, JsonElement fields, JsonElement? value, string? responsible, bool processBound,
        DateTimeOffset? leaseExpiresAt, long revision, DateTimeOffset createdAt, DateTimeOffset updatedAt) =>
        new(id, type, fields, value, responsible, processBound, leaseExpiresAt, revision, createdAt, updatedAt);

    /// This state after a value change: it shares these fields and keeps the value beside them.
    public ItemState WithValue(JsonElement value, long revision, DateTimeOffset at) =>
        new(Id, Type, _base, value, Responsible, ProcessBound, LeaseExpiresAt, revision, CreatedAt, at);

    public bool Equals(ItemState? other) =>
        other is not null && Id == other.Id && Type == other.Type && Responsible == other.Responsible
        && ProcessBound == other.ProcessBound && LeaseExpiresAt == other.LeaseExpiresAt && Revision == other.Revision
        && CreatedAt == other.CreatedAt && UpdatedAt == other.UpdatedAt && JsonElement.DeepEquals(Fields, other.Fields);

    public override bool Equals(object? obj) => Equals(obj as ItemState);

    public override int GetHashCode() => HashCode.Combine(Id, Revision);

    public override string ToString() => $"{Type} {Id} at revision {Revision}";
}
