using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Dataspace;
using Microsoft.AspNetCore.SignalR;

namespace Equip.Web.Hubs;

/// Refusals reach the client as a hub error whose message starts with a stable code, such as
/// "not-found: No item has id ...". Anything else stays the framework's generic error.
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
        InvalidItemException => "invalid",
        InvalidPeerException => "invalid",
        ItemNotFoundException => "not-found",
        RevisionMismatchException => "revision-mismatch",
        ItemHasNoLeaseException => "no-lease",
        ChangeLogCompactedException => "compacted",
        StaleIncarnationException => "stale-incarnation",
        ServiceStoppingException => "stopping",
        CommitOutcomeUnknownException => "outcome-unknown",
        _ => null,
    };
}
