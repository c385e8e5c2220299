using Equip.Domain.Access;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Dataspace;

namespace Equip.Web.Cluster;

/// A forwarded write's answer: its result, or why the leader refused it.
public sealed record Forwarded<T>(T? Result, ForwardedRefusal? Refusal);

/// A refusal as it crosses from the leader to a follower: the exception's type name and message,
/// and what the answers read from it besides (a limit's name, a revision mismatch's revisions).
public sealed record ForwardedRefusal(string Kind, string Message, string? Limit = null, Guid? ItemId = null, long? Expected = null, long? Actual = null);

public sealed record ForwardedValues(IReadOnlyList<ValueWrite> Values, PeerActor? By, bool SkipUnchanged);

public sealed record ForwardedOutcome(long[] Revisions, IReadOnlyList<ForwardedValueRefusal> Refused);

public sealed record ForwardedValueRefusal(int Index, ForwardedRefusal Refusal);

public sealed record ForwardedRegistration(string PeerId, string Incarnation, string Name, DeviceGrant? Grant);

/// Refusals across the replication channel: the leader sends the kind of refusal and its message,
/// and the follower throws the same kind, so that REST, the hub and the application services on
/// a follower answer exactly as the leader would have (a RevisionMismatchException is caught and
/// retried, a ServiceStoppingException is a 503). A failure that is no refusal stays a failure.
internal static class ForwardedRefusals
{
    private static readonly Dictionary<string, Type> Kinds = ErrorHandling.Refusals.Known.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static ForwardedRefusal? Of(Exception error) => error switch
    {
        _ when ErrorHandling.Refusals.Of(error) is null => null,
        LimitReachedException limit => new ForwardedRefusal(error.GetType().Name, error.Message, Limit: limit.Limit),
        RevisionMismatchException mismatch => new ForwardedRefusal(error.GetType().Name, error.Message, ItemId: MismatchedId(mismatch), Expected: mismatch.Expected, Actual: mismatch.Actual),
        _ => new ForwardedRefusal(error.GetType().Name, error.Message),
    };

    private static Guid MismatchedId(RevisionMismatchException mismatch) =>
        Guid.TryParse(mismatch.Message.AsSpan(5, 36), out var id) ? id : Guid.Empty; // "Item {id} is at revision ..."

    /// The refusal as the exception the leader threw: the same type, the same message.
    public static Exception Rebuild(ForwardedRefusal refusal) => refusal switch
    {
        { Kind: nameof(RevisionMismatchException), ItemId: { } id, Expected: { } expected, Actual: { } actual } => new RevisionMismatchException(id, expected, actual),
        { Kind: nameof(LimitReachedException), Limit: { } limit } => new LimitReachedException(limit, Unsuffixed(refusal.Message, $" (Equip:Limits:Items:{limit})")),
        { Kind: nameof(ServiceStoppingException) } => new ServiceStoppingException(),
        { Kind: nameof(CommitOutcomeUnknownException) } => new CommitOutcomeUnknownException(new InvalidOperationException($"On the leader: {refusal.Message}")),
        _ when Kinds.TryGetValue(refusal.Kind, out var kind) && kind.IsSubclassOf(typeof(DataspaceException)) => DataspaceException.AsWorded(kind, refusal.Message),
        _ => new InvalidOperationException($"The leader refused the write ({refusal.Kind}): {refusal.Message}"),
    };

    private static string Unsuffixed(string message, string suffix) =>
        message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;

    public static T Unwrap<T>(Forwarded<T> answer) =>
        answer.Refusal is { } refusal ? throw Rebuild(refusal) : answer.Result!;
}
