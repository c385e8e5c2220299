using System.Text.Json;
using System.Text.Json.Serialization;
using MessagePack;

namespace Equip.Protocol;

/// <summary>
/// Hub method SetValues: sets the top-level field "value" of each item (a property's value), in
/// order, each as an unreliable update with its own revision. Sent without waiting for an answer;
/// the server acknowledges it with a <see cref="ValuesAppliedMessage"/>.
/// </summary>
[MessagePackObject]
public sealed record SetValuesRequest
{
    /// <summary>Chosen by the client, increasing on each connection; the acknowledgement names it.</summary>
    [Key("sequence")] public long Sequence { get; init; }

    /// <summary>The values: item id and value, each a two-element array on the wire.</summary>
    [Key("values")] public IReadOnlyList<ValueEntry> Values { get; init; } = [];

    /// <summary>Set by the server, never sent: why the call could not be read (its values are
    /// then refused as a whole, by sequence).</summary>
    [IgnoreMember, JsonIgnore] public string? Unreadable { get; init; }
}

/// <summary>One value of a SetValues: <c>[itemId, value]</c> on the wire.</summary>
/// <param name="ItemId">The item.</param>
/// <param name="Value">Its new value (any JSON value).</param>
[JsonConverter(typeof(ValueEntryJsonConverter))]
[MessagePackFormatter(typeof(ValueEntryFormatter))]
public readonly record struct ValueEntry(Guid ItemId, JsonElement Value);

/// <summary>
/// Client callback ValuesApplied: the connection's SetValues calls through <see cref="Sequence"/>
/// that no earlier ValuesApplied covered have been applied (or refused).
/// </summary>
[MessagePackObject]
public sealed record ValuesAppliedMessage
{
    /// <summary>The last SetValues this acknowledgement covers.</summary>
    [Key("sequence")] public long Sequence { get; init; }

    /// <summary>For every value of the calls covered, in the order sent: its revision, or 0 when refused.</summary>
    [Key("revisions")] public IReadOnlyList<long> Revisions { get; init; } = [];

    /// <summary>The refused values, if any.</summary>
    [Key("refused")] public IReadOnlyList<ValueRefusalMessage> Refused { get; init; } = [];
}

/// <summary>Why a value (or a whole SetValues) was refused.</summary>
[MessagePackObject]
public sealed record ValueRefusalMessage
{
    /// <summary>The SetValues the refused value was in.</summary>
    [Key("sequence")] public long Sequence { get; init; }

    /// <summary>The value's position in that call; null when the whole call was refused.</summary>
    [Key("index")] public int? Index { get; init; }

    /// <summary>The error code (see <see cref="HubErrors"/>).</summary>
    [Key("code")] public string Code { get; init; } = "";

    /// <summary>Words for people.</summary>
    [Key("message")] public string Message { get; init; } = "";
}

/// <summary>
/// Client callback Values: value changes of items a subscription follows (one made with
/// compactValues), in revision order; each <c>[itemId, revision, value]</c> on the wire.
/// </summary>
[MessagePackObject]
public sealed record ValuesMessage
{
    /// <summary>The subscription's id.</summary>
    [Key("subscriptionId")] public string SubscriptionId { get; init; } = "";

    /// <summary>The value changes, in increasing revision order.</summary>
    [Key("values")] public IReadOnlyList<WireValue> Values { get; init; } = [];
}

/// <summary>One value change: the item's "value" field is now Value, at Revision; nothing else changed.</summary>
/// <param name="ItemId">The item.</param>
/// <param name="Revision">The revision of the change.</param>
/// <param name="Value">The item's new value.</param>
[JsonConverter(typeof(WireValueJsonConverter))]
[MessagePackFormatter(typeof(WireValueFormatter))]
public readonly record struct WireValue(Guid ItemId, long Revision, JsonElement Value);
