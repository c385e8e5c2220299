using System.Text.Json;
using Equip.Domain.Peers;

namespace Equip.Domain.Dataspace;

/// One value of a SetValues: the item's top-level field "value" becomes Value.
public readonly record struct ValueWrite(Guid ItemId, JsonElement Value);

/// Sets the value of each item, in order, each an unreliable update of its own with its own
/// revision, leaving every other field as it is. Only a peer's own items (any item for the
/// admin). OnApplied, when given, is called on the writer's thread once the values are applied
/// (it must only queue work).
public sealed record SetValues(IReadOnlyList<ValueWrite> Values, PeerActor? By = null)
{
    /// A destination that already holds the value is left as it is (the link engine's pushes).
    public bool SkipUnchanged { get; init; }

    /// Why the whole call is refused before it is looked at (it could not be read): the refusal is
    /// still answered in order, after the calls queued before it.
    public DataspaceException? Refused { get; init; }

    public Action<ValuesOutcome>? OnApplied { get; init; }
}

/// What became of a SetValues: the revision each value was given (0 for a value refused or
/// skipped), and why the refused ones were refused (Index -1: the whole call).
public sealed record ValuesOutcome(long[] Revisions, IReadOnlyList<ValueRefusal> Refused)
{
    public static ValuesOutcome RefusedAll(int count, Exception error) => new(new long[count], [new ValueRefusal(-1, error)]);
}

/// A refused value (Index -1: the whole call), and why: a DataspaceException, or the server
/// stopping.
public sealed record ValueRefusal(int Index, Exception Error);
