using Equip.Infrastructure.Observability;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Equip.Web.Access;

/// Per-key rate limiting of HTTP requests with ASP.NET Core's rate limiter: a token bucket per
/// key (the admin's, or each device key's), or per client address for requests without a valid
/// key; a refused request gets 429 with Retry-After and problem details.
public static partial class RequestRateLimits
{
    public static WebApplicationBuilder AddEquipRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var limits = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (!limits.Enabled)
        {
            return builder;
        }
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetTokenBucketLimiter(PartitionOf(context), _ => BucketOptions(limits.RequestsPerSecond, limits.RequestBurst)));
            o.OnRejected = RejectAsync;
        });
        return builder;
    }

    public static WebApplication UseEquipRateLimits(this WebApplication app)
    {
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RateLimitOptions>>().Value.Enabled)
        {
            app.UseRateLimiter();
        }
        return app;
    }

    /// A bucket that starts full and refills every tenth of a second.
    public static TokenBucketRateLimiterOptions BucketOptions(int perSecond, int burst, int queue = 0) => new()
    {
        TokenLimit = Math.Max(burst, 1),
        TokensPerPeriod = Math.Max(1, perSecond / 10),
        ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
        QueueLimit = queue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        AutoReplenishment = true,
    };

    public static TimeSpan RetryAfterOf(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMilliseconds(100);

    private static string PartitionOf(HttpContext context) =>
        context.User.IsAdmin() ? Callers.Admin
        : context.User.KeyId() is { } key ? key.ToString()
        : "address:" + context.Connection.RemoteIpAddress;

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var http = rejected.HttpContext;
        var after = RetryAfterOf(rejected.Lease);
        var seconds = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var caller = PartitionOf(http);
        if (ThrottledWarning.ShouldLog("rest:" + caller))
        {
            Refused(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RequestRateLimits)), caller);
        }
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"This key sent more requests than Equip:RateLimits allows; retry after {seconds} s.",
            },
        });
    }

    [LoggerMessage(1, LogLevel.Warning, "Rate limit reached for {Caller}: requests refused with 429 (logged at most once a second).", EventName = "RateLimited")]
    private static partial void Refused(ILogger logger, string caller);
}
