using System.Runtime.InteropServices;
using System.Text.Json;

namespace Equip.Domain.Dataspace;

/// An entry of the shared dataspace. Its state changes only through the methods below, each of
/// which stamps the global revision the change was given.
public sealed class Item
{
    private JsonElement _fields;
    private JsonElement? _value;

    private Item()
    {
    }

    public Guid Id { get; private set; }
    public string Type { get; private set; } = "";

    /// The fields; a value set in place (SetValue) is written into them when they are read.
    public JsonElement Fields
    {
        get
        {
            if (_value is { } value)
            {
                _fields = JsonValues.WithValue(_fields, value);
                _value = null;
            }
            return _fields;
        }
        private set
        {
            _fields = value;
            _value = null;
        }
    }

    /// The top-level field "value", read without writing the fields out.
    public JsonElement? Value => _value ?? JsonValues.ValueOf(_fields);

    /// Whether the fields are an object (one that can hold a value).
    public bool HasFieldsObject => _fields.ValueKind == JsonValueKind.Object;

    public string? Responsible { get; private set; }
    public bool ProcessBound { get; private set; }
    public TimeSpan? LeaseDuration { get; private set; }
    public DateTimeOffset? LeaseExpiresAt { get; private set; }
    public long Revision { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// The responsible peer's registration in which it last asserted this item.
    public long? AssertedEpoch { get; private set; }

    public static Item Create(AddItem command, Guid id, long revision, DateTimeOffset now) => new()
    {
        Id = id,
        Type = command.Type,
        Fields = command.Fields,
        Responsible = command.Responsible,
        ProcessBound = command.ProcessBound,
        LeaseDuration = command.Lease,
        LeaseExpiresAt = now + command.Lease,
        Revision = revision,
        CreatedAt = now,
        UpdatedAt = now,
    };

    /// The item as a state shows it, for a node that follows another's stream (docs/scaling.md):
    /// it is read and indexed, never written (the lease's duration is the leader's to know).
    public static Item Replicate(ItemState state) => new()
    {
        Id = state.Id,
        Type = state.Type,
        Fields = state.Fields,
        Responsible = state.Responsible,
        ProcessBound = state.ProcessBound,
        LeaseExpiresAt = state.LeaseExpiresAt,
        Revision = state.Revision,
        CreatedAt = state.CreatedAt,
        UpdatedAt = state.UpdatedAt,
    };

    /// A re-add of an existing id: the original's LEASE_RENEW. It replaces the content and renews
    /// the lease with the new duration, or the one the item already had.
    public void Readd(AddItem command, long revision, DateTimeOffset now)
    {
        Type = command.Type;
        Fields = command.Fields;
        Responsible = command.Responsible;
        ProcessBound = command.ProcessBound;
        LeaseDuration = command.Lease ?? LeaseDuration;
        LeaseExpiresAt = now + LeaseDuration;
        Touch(revision, now);
    }

    public void Update(UpdateItem command, long revision, DateTimeOffset now)
    {
        Type = command.Type ?? Type;
        Fields = command.Fields;
        if (command.Lease is { } lease)
        {
            LeaseDuration = lease;
            LeaseExpiresAt = now + lease;
        }
        Touch(revision, now);
    }

    /// A value change: the top-level field "value" becomes the value, nothing else changes. The
    /// fields are not rewritten now (see Fields); readers get the state through ToState.
    public void SetValue(JsonElement value, long revision, DateTimeOffset now)
    {
        _value = value;
        Touch(revision, now);
    }

    /// UTF-8 bytes the fields would take with "value" replaced by the value: what the item
    /// limits count, worked out without writing the fields.
    public long FieldsBytesWith(JsonElement value)
    {
        static int Bytes(JsonElement json) => JsonMarshal.GetRawUtf8Value(json).Length;
        var member = JsonValues.ValueField.Length + 3; // "value": and a comma
        var old = JsonValues.ValueOf(_fields) is { } stored ? Bytes(stored) + member : 0;
        return Bytes(_fields) - old + Bytes(value) + member;
    }

    /// Renewal is lease bookkeeping, not a change of content: it takes no revision and makes no event.
    public void RenewLease(TimeSpan? lease, DateTimeOffset now)
    {
        LeaseDuration = lease ?? LeaseDuration ?? throw new ItemHasNoLeaseException(Id);
        LeaseExpiresAt = now + LeaseDuration;
    }

    /// Restarts a lease the item has, for its own duration; items without a lease keep none.
    public void RestartLease(DateTimeOffset now) => LeaseExpiresAt = now + LeaseDuration;

    /// Brings a lease forward to the given time when it would end later (a reconnecting peer's
    /// items must be re-asserted within the window, or they expire).
    public void TruncateLease(DateTimeOffset latest)
    {
        if (LeaseExpiresAt > latest)
        {
            LeaseExpiresAt = latest;
        }
    }

    public void MarkAsserted(long epoch) => AssertedEpoch = epoch;

    public bool HasSameContent(string type, JsonElement fields, bool processBound) =>
        Type == type && ProcessBound == processBound && JsonElement.DeepEquals(Fields, fields);

    public bool IsExpired(DateTimeOffset now) => LeaseExpiresAt is { } expiry && expiry <= now;

    public void EnsureRevision(long? expected)
    {
        if (expected is { } revision && revision != Revision)
        {
            throw new RevisionMismatchException(Id, revision, Revision);
        }
    }

    /// A copy to change: the dataspace keeps its current items unchanged and writes to copies.
    public Item Copy() => (Item)MemberwiseClone();

    /// Whether the other is this item at the same point: every change takes a revision, except
    /// lease bookkeeping and assertion marks, which are compared too.
    public bool IsSameVersion(Item other) =>
        Revision == other.Revision && LeaseExpiresAt == other.LeaseExpiresAt
        && LeaseDuration == other.LeaseDuration && AssertedEpoch == other.AssertedEpoch;

    public ItemState ToState() =>
        ItemState.Of(Id, Type, _fields, _value, Responsible, ProcessBound, LeaseExpiresAt, Revision, CreatedAt, UpdatedAt);

    private void Touch(long revision, DateTimeOffset now)
    {
        Revision = revision;
        UpdatedAt = now;
    }
}
