using System.Text.Json;

namespace Equip.Domain.Dataspace;

/// An entry of the shared dataspace. Its state changes only through the methods below, each of
/// which stamps the global revision the change was given.
public sealed class Item
{
    private Item()
    {
    }

    public Guid Id { get; private set; }
    public string Type { get; private set; } = "";
    public JsonElement Fields { get; private set; }
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
        new(Id, Type, Fields, Responsible, ProcessBound, LeaseExpiresAt, Revision, CreatedAt, UpdatedAt);

    private void Touch(long revision, DateTimeOffset now)
    {
        Revision = revision;
        UpdatedAt = now;
    }
}
