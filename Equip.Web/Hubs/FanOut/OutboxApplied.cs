using Equip.Domain.Dataspace;
using Equip.Protocol;
using Microsoft.AspNetCore.SignalR;
using Equip.Web.Hubs.Refusals;

namespace Equip.Web.Hubs.FanOut;

/// The outcome of one SetValues of the connection, waiting to be acknowledged. Consecutive ones
/// go out as one cumulative ValuesApplied.
internal sealed record OutboxApplied(long Sequence, ValuesOutcome Outcome) : OutboxEntry
{
    public static ValuesAppliedMessage Merge(IReadOnlyList<OutboxApplied> applied)
    {
        if (applied.Count == 1)
        {
            return applied[0].ToMessage();
        }
        var revisions = new List<long>();
        var refused = new List<ValueRefusalMessage>();
        foreach (var one in applied)
        {
            revisions.AddRange(one.Outcome.Revisions);
            refused.AddRange(one.Refusals());
        }
        return new ValuesAppliedMessage { Sequence = applied[^1].Sequence, Revisions = revisions, Refused = refused };
    }

    private ValuesAppliedMessage ToMessage() => new()
    {
        Sequence = Sequence,
        Revisions = Outcome.Revisions,
        Refused = Outcome.Refused.Count == 0 ? [] : [.. Refusals()],
    };

    private IEnumerable<ValueRefusalMessage> Refusals() => Outcome.Refused.Select(r => new ValueRefusalMessage
    {
        Sequence = Sequence,
        Index = r.Index < 0 ? null : r.Index,
        Code = CodeOf(r.Error),
        Message = r.Error is HubException coded ? coded.Message[(coded.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..] : r.Error.Message,
    });

    /// A refusal's code; a failure of the server's own is an error without one ("error").
    private static string CodeOf(Exception error) =>
        (error is HubException coded ? HubErrors.CodeOf(coded.Message) : HubErrorFilter.CodeOf(error)) ?? "error";
}
