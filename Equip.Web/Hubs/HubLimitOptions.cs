using System.ComponentModel.DataAnnotations;

namespace Equip.Web.Hubs;

public sealed class HubLimitOptions
{
    public const string Section = "Equip:Limits";

    /// Messages a connection may have waiting to be sent; beyond it the connection is closed and
    /// its client catches up from the change log after reconnecting.
    [Range(100, 10_000_000)]
    public int MaxPendingMessages { get; set; } = 10_000;

    /// A re-subscription more than this many revisions behind gets a snapshot (resynchronised)
    /// instead of a replay: a replay reads every event of the gap, whatever its pattern matches,
    /// and a storm of reconnecting peers each reading a long gap saturates the server.
    [Range(0, 100_000_000)]
    public int MaxReplayRevisions { get; set; } = 1000;

    /// Subscriptions one connection may hold at once; more are refused with limit-reached.
    [Range(1, 1_000_000)]
    public int MaxSubscriptionsPerConnection { get; set; } = 1000;
}
