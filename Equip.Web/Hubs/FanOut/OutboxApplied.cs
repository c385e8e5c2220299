using Equip.Domain.Dataspace;
using Equip.Protocol;
using Microsoft.AspNetCore.SignalR;
using Equip.Web.Hubs.Refusals;

namespace Equip.Web.Hubs.FanOut;

/// The outcome of one SetValues of the connection, waiting to be acknowledged (each call its own
/// ValuesApplied, in the order the calls came).
internal sealed record OutboxApplied(long Sequence, ValuesOutcome Outcome) : OutboxEntry
{
    public ValuesAppliedMessage ToMessage() => new()
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
    internal static string CodeOf(Exception error) =>
        (error is HubException coded ? HubErrors.CodeOf(coded.Message) : Equip.Web.ErrorHandling.Refusals.Of(error)?.HubCode) ?? "error";
}
