using System.ComponentModel.DataAnnotations;

namespace Equip.Web.Access;

/// Token buckets: each key (or, without one, each client address) gets RequestsPerSecond HTTP
/// requests with bursts up to RequestBurst, beyond which requests get 429 with Retry-After. Each
/// hub connection gets HubCallsPerSecond calls with bursts up to HubCallBurst; a call beyond them
/// waits its turn (the connection is slowed to its rate), and only when HubCallQueue calls
/// already wait is it refused with the hub error rate-limited. The values of SetValues come out of
/// a bucket of their own (HubValuesPerSecond, bursts up to HubValueBurst) and are never refused:
/// a SetValues beyond it waits, and so does what the device sends after it.
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

    [Range(0, 1_000_000)]
    public int HubCallQueue { get; set; } = 1000;

    [Range(1, 100_000_000)]
    public int HubValuesPerSecond { get; set; } = 10_000;

    [Range(1, 100_000_000)]
    public int HubValueBurst { get; set; } = 20_000;
}
