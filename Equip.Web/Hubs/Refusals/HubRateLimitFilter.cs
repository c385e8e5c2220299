using Equip.Infrastructure.Observability;
using System.Threading.RateLimiting;
using Equip.Protocol;
using Equip.Web.Access;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Equip.Web.Hubs.Refusals;

/// Each connection's calls come out of its own token bucket (Equip:RateLimits:HubCallsPerSecond).
/// A call beyond it waits for its token: SignalR runs one connection's calls one after another,
/// so a device that floods is slowed to its rate (what it sends waits in its socket), costs the
/// server nothing more, and the others keep their share of the writer. Only when HubCallQueue
/// calls already wait is one refused with rate-limited. One partitioned limiter holds the
/// buckets: one timer refills them all, and the buckets of closed connections are dropped once idle.
/// SetValues is not counted as a call (one carries many values): its values come out of a bucket
/// of their own, and a SetValues beyond it waits, never refused (its sender does not wait for an
/// answer that a refusal would be).
internal sealed partial class HubRateLimitFilter : IHubFilter, IDisposable
{
    private readonly PartitionedRateLimiter<string>? _calls;
    private readonly PartitionedRateLimiter<string>? _values;
    private readonly int _valueBurst;
    private readonly ILogger<HubRateLimitFilter> _logger;

    public HubRateLimitFilter(IOptions<RateLimitOptions> options, ILogger<HubRateLimitFilter> logger)
    {
        var limits = options.Value;
        _logger = logger;
        _valueBurst = limits.HubValueBurst;
        _calls = limits.Enabled
            ? PartitionedRateLimiter.Create<string, string>(connectionId =>
                RateLimitPartition.GetTokenBucketLimiter(connectionId, _ => RequestRateLimits.BucketOptions(limits.HubCallsPerSecond, limits.HubCallBurst, limits.HubCallQueue)))
            : null;
        _values = limits.Enabled
            ? PartitionedRateLimiter.Create<string, string>(connectionId =>
                RateLimitPartition.GetTokenBucketLimiter(connectionId, _ => RequestRateLimits.BucketOptions(limits.HubValuesPerSecond, limits.HubValueBurst, limits.HubValueBurst)))
            : null;
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (invocation.HubMethodName == HubNames.SetValues)
        {
            if (_values is not null && invocation.HubMethodArguments is [SetValuesRequest { Values.Count: > 0 } request])
            {
                await WaitForValuesAsync(invocation.Context, Math.Min(request.Values.Count, _valueBurst));
            }
            return await next(invocation);
        }
        if (_calls is not null)
        {
            var connectionId = invocation.Context.ConnectionId;
            using var lease = await _calls.AcquireAsync(connectionId, 1, invocation.Context.ConnectionAborted);
            if (!lease.IsAcquired)
            {
                var after = RequestRateLimits.RetryAfterOf(lease);
                if (ThrottledWarning.ShouldLog("hub:" + connectionId))
                {
                    Refused(_logger, connectionId, invocation.Context.User?.Identity?.Name ?? "");
                }
                throw new HubException($"{HubErrors.RateLimited}: This connection sent more calls than Equip:RateLimits:HubCallsPerSecond allows and HubCallQueue calls already wait; retry after {Math.Ceiling(after.TotalMilliseconds)} ms.");
            }
        }
        return await next(invocation);
    }

    /// Until the connection's bucket has the values' tokens (or the connection closes).
    private async Task WaitForValuesAsync(HubCallerContext caller, int tokens)
    {
        while (true)
        {
            using var lease = await _values!.AcquireAsync(caller.ConnectionId, tokens, caller.ConnectionAborted);
            if (lease.IsAcquired)
            {
                return;
            }
            if (ThrottledWarning.ShouldLog("hub-values:" + caller.ConnectionId))
            {
                ValuesSlowed(_logger, caller.ConnectionId, caller.User?.Identity?.Name ?? "");
            }
            await Task.Delay(RequestRateLimits.RetryAfterOf(lease), caller.ConnectionAborted);
        }
    }

    public void Dispose()
    {
        _calls?.Dispose();
        _values?.Dispose();
    }

    [LoggerMessage(2, LogLevel.Warning, "Value rate limit reached for hub connection {ConnectionId} (key '{Key}'): its SetValues wait (logged at most once a second).", EventName = "HubValuesSlowed")]
    private static partial void ValuesSlowed(ILogger logger, string connectionId, string key);

    [LoggerMessage(1, LogLevel.Warning, "Rate limit reached for hub connection {ConnectionId} (key '{Key}'): calls refused with rate-limited (logged at most once a second).", EventName = "HubRateLimited")]
    private static partial void Refused(ILogger logger, string connectionId, string key);
}
