using Equip.Protocol;
using Microsoft.AspNetCore.SignalR;

namespace Equip.Web.Hubs.Refusals;

/// Every hub call passes here. Refusals reach the client as a hub error carrying a stable code
/// (HubErrors), such as "... HubException: not-found: No item has id ...", and are logged as the
/// client's mistakes (warnings); anything else stays the framework's generic error and is logged
/// as the server's failure. SignalR's own error line for a failed call is switched off (HubSetup),
/// so each failure is logged once, here, at the level it deserves.
internal sealed class HubErrorFilter(ILogger<HubErrorFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var method = invocationContext.HubMethodName;
        try
        {
            RefuseNullArguments(invocationContext);
            return await next(invocationContext);
        }
        catch (HubException refused)
        {
            var code = HubErrors.CodeOf(refused.Message);
            if (code != HubErrors.RateLimited) // the rate limit logs its refusals itself, at most once a second
            {
                HubErrorFilterLog.Refused(logger, method, code ?? "", refused.Message);
            }
            throw;
        }
        catch (Exception error) when (Equip.Web.ErrorHandling.Refusals.Of(error)?.HubCode is { } code)
        {
            HubErrorFilterLog.Refused(logger, method, code, error.Message);
            throw new HubException($"{code}: {error.Message}");
        }
        catch (OperationCanceledException) when (invocationContext.Context.ConnectionAborted.IsCancellationRequested)
        {
            HubErrorFilterLog.Abandoned(logger, method);
            throw;
        }
        catch (Exception error)
        {
            HubErrorFilterLog.Failed(logger, method, error);
            throw;
        }
    }

    /// A null where the protocol wants a request is the client's mistake, not a server failure.
    private static void RefuseNullArguments(HubInvocationContext invocation)
    {
        for (var i = 0; i < invocation.HubMethodArguments.Count; i++)
        {
            if (invocation.HubMethodArguments[i] is null)
            {
                throw new HubException($"{HubErrors.Invalid}: Argument {i + 1} of '{invocation.HubMethodName}' is null; pass {invocation.HubMethod.GetParameters()[i].ParameterType.Name} instead.");
            }
        }
    }

}

internal static partial class HubErrorFilterLog
{
    [LoggerMessage(1, LogLevel.Warning, "Refused hub call '{HubMethod}' ({Code}): {Reason}", EventName = "CallRefused")]
    public static partial void Refused(ILogger logger, string hubMethod, string code, string reason);

    [LoggerMessage(2, LogLevel.Debug, "Hub call '{HubMethod}' abandoned: its connection closed.", EventName = "CallAbandoned")]
    public static partial void Abandoned(ILogger logger, string hubMethod);

    [LoggerMessage(4, LogLevel.Warning, "Refused {Count} values of SetValues {Sequence}, the first ({Code}): {Reason} (logged at most once a second per connection)", EventName = "ValuesRefused")]
    public static partial void ValuesRefused(ILogger logger, int count, long sequence, string code, string reason);

    [LoggerMessage(3, LogLevel.Error, "Hub call '{HubMethod}' failed.", EventName = "CallFailed")]
    public static partial void Failed(ILogger logger, string hubMethod, Exception error);
}
