using System.ComponentModel.DataAnnotations;

namespace Equip.Web.Hubs;

public sealed class HubLimitOptions
{
    public const string Section = "Equip:Limits";

    /// Messages a connection may have waiting to be sent; beyond it the connection is closed and
    /// its client catches up from the change log after reconnecting.
    [Range(100, 10_000_000)]
    public int MaxPendingMessages { get; set; } = 10_000;
}
