using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Dataspace;
using Equip.Protocol;
using Microsoft.AspNetCore.SignalR;

namespace Equip.Web.Hubs;

/// Refusals reach the client as a hub error carrying a stable code (HubErrors), such as
/// "... HubException: not-found: No item has id ...". Anything else stays the framework's generic error.
internal sealed class HubErrorFilter : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (Exception error) when (CodeOf(error) is { } code)
        {
            throw new HubException($"{code}: {error.Message}");
        }
    }

    public static string? CodeOf(Exception error) => error switch
    {
        InvalidItemException => HubErrors.Invalid,
        InvalidPeerException => HubErrors.Invalid,
        ItemNotFoundException => HubErrors.NotFound,
        RevisionMismatchException => HubErrors.RevisionMismatch,
        ItemHasNoLeaseException => HubErrors.NoLease,
        ChangeLogCompactedException => HubErrors.Compacted,
        StaleIncarnationException => HubErrors.StaleIncarnation,
        ServiceStoppingException => HubErrors.Stopping,
        CommitOutcomeUnknownException => HubErrors.OutcomeUnknown,
        _ => null,
    };
}
