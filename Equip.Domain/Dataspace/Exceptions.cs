namespace Equip.Domain.Dataspace;

/// A request the dataspace refuses; each kind maps to one client error.
public abstract class DataspaceException(string message) : Exception(message)
{
    private string? _worded;

    public override string Message => _worded ?? base.Message;

    /// A refusal of the given kind, worded as another node worded it (a follower answering for its
    /// leader, docs/scaling.md). The kind's constructor, which words its message from its
    /// arguments, is not run: the refusal's own properties keep their defaults.
    public static DataspaceException AsWorded(Type kind, string message)
    {
        if (!kind.IsSubclassOf(typeof(DataspaceException)) || kind.IsAbstract)
        {
            throw new ArgumentException($"{kind.Name} is no kind of dataspace refusal.", nameof(kind));
        }
        var refusal = (DataspaceException)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(kind);
        refusal._worded = message;
        return refusal;
    }
}

public sealed class InvalidItemException(string message) : DataspaceException(message);

/// A request beyond one of the configured limits (ItemLimits); Limit names it, as configured
/// under Equip:Limits:Items.
public sealed class LimitReachedException(string limit, string message) : DataspaceException($"{message} (Equip:Limits:Items:{limit})")
{
    public string Limit { get; } = limit;
}

public sealed class ItemNotFoundException(Guid id) : DataspaceException($"No item has id {id}.")
{
    public Guid Id { get; } = id;
}

public sealed class RevisionMismatchException(Guid id, long expected, long actual)
    : DataspaceException($"Item {id} is at revision {actual}, not {expected}.")
{
    public long Expected { get; } = expected;
    public long Actual { get; } = actual;
}

public sealed class ItemHasNoLeaseException(Guid id)
    : DataspaceException($"Item {id} has no lease to renew; give leaseSeconds to start one.");

public sealed class ChangeLogCompactedException(long after, long oldestRetained)
    : DataspaceException($"Events after revision {after} are no longer retained; the oldest retained revision is {oldestRetained}. Resynchronise from a snapshot.")
{
    public long OldestRetainedRevision { get; } = oldestRetained;
}
