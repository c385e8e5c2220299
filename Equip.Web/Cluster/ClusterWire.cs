using System.Reflection;
using System.Runtime.CompilerServices;
using Equip.Domain.Access;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;

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
    private static readonly FieldInfo? MessageField = typeof(Exception).GetField("_message", BindingFlags.Instance | BindingFlags.NonPublic);

    public static ForwardedRefusal? Of(Exception error) => error switch
    {
        _ when ErrorHandling.Refusals.Of(error) is null => null,
        LimitReachedException limit => new ForwardedRefusal(error.GetType().Name, error.Message, Limit: limit.Limit),
        RevisionMismatchException mismatch => new ForwardedRefusal(error.GetType().Name, error.Message, ItemId: MismatchedId(mismatch), Expected: mismatch.Expected, Actual: mismatch.Actual),
        _ => new ForwardedRefusal(error.GetType().Name, error.Message),
    };

    private static Guid MismatchedId(RevisionMismatchException mismatch) =>
        Guid.TryParse(mismatch.Message.AsSpan(5, 36), out var id) ? id : Guid.Empty; // "Item {id} is at revision ..."

    /// The refusal as the exception the leader threw: the same type, the same message (its
    /// constructor, which words the message from its arguments, is not run).
    public static Exception Rebuild(ForwardedRefusal refusal)
    {
        if (refusal.Kind == nameof(RevisionMismatchException) && refusal is { ItemId: { } id, Expected: { } expected, Actual: { } actual })
        {
            return new RevisionMismatchException(id, expected, actual);
        }
        if (refusal.Kind == nameof(LimitReachedException) && refusal.Limit is { } limit)
        {
            var suffix = $" (Equip:Limits:Items:{limit})";
            return new LimitReachedException(limit, refusal.Message.EndsWith(suffix, StringComparison.Ordinal) ? refusal.Message[..^suffix.Length] : refusal.Message);
        }
        if (Kinds.TryGetValue(refusal.Kind, out var type) && MessageField is not null)
        {
            var error = (Exception)RuntimeHelpers.GetUninitializedObject(type);
            MessageField.SetValue(error, refusal.Message);
            return error;
        }
        return new InvalidOperationException($"The leader refused the write ({refusal.Kind}): {refusal.Message}");
    }

    public static T Unwrap<T>(Forwarded<T> answer) =>
        answer.Refusal is { } refusal ? throw Rebuild(refusal) : answer.Result!;
}
