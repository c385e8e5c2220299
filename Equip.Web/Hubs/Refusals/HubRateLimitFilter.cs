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
internal sealed partial class HubRateLimitFilter : IHubFilter, IDisposable
{
    private readonly PartitionedRateLimiter<string>? _calls;
    private readonly ILogger<HubRateLimitFilter> _logger;

    public HubRateLimitFilter(IOptions<RateLimitOptions> options, ILogger<HubRateLimitFilter> logger)
    {
        var limits = options.Value;
        _logger = logger;
        _calls = limits.Enabled
            ? PartitionedRateLimiter.Create<string, string>(connectionId =>
                RateLimitPartition.GetTokenBucketLimiter(connectionId, _ => RequestRateLimits.BucketOptions(limits.HubCallsPerSecond, limits.HubCallBurst, limits.HubCallQueue)))
            : null;
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
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

    public void Dispose() => _calls?.Dispose();

    [LoggerMessage(1, LogLevel.Warning, "Rate limit reached for hub connection {ConnectionId} (key '{Key}'): calls refused with rate-limited (logged at most once a second).", EventName = "HubRateLimited")]
    private static partial void Refused(ILogger logger, string connectionId, string key);
}
