using System.ComponentModel.DataAnnotations;

namespace Equip.Web.Access;

/// Token buckets: each key (or, without one, each client address) gets RequestsPerSecond HTTP
/// requests with bursts up to RequestBurst; each hub connection gets HubCallsPerSecond calls with
/// bursts up to HubCallBurst. Beyond them: 429 with Retry-After, or the hub error rate-limited.
public sealed class RateLimitOptions
{
    public const string Section = "Equip:RateLimits";

    public bool Enabled { get; set; } = true;

    [Range(1, 10_000_000)]
    public int RequestsPerSecond { get; set; } = 1000;

    [Range(1, 10_000_000)]
    public int RequestBurst { get; set; } = 2000;

    [Range(1, 10_000_000)]
    public int HubCallsPerSecond { get; set; } = 2000;

    [Range(1, 10_000_000)]
    public int HubCallBurst { get; set; } = 4000;
}
