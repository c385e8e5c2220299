using System.ComponentModel.DataAnnotations;

namespace Equip.Web.Dashboard.Live;

public sealed class DashboardOptions
{
    public const string Section = "Equip:Dashboard";

    /// The shortest time between two renders of a live view: changes in between are coalesced, so
    /// a property changing at 1 kHz costs the browser a few renders a second.
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// How many of the latest change events the Events page can show.
    [Range(10, 100_000)]
    public int EventHistory { get; set; } = 1000;

    /// How long after a peer is back the timeline waits for its links to carry values again
    /// before it records that they did not.
    public TimeSpan RecoveryWatch { get; set; } = TimeSpan.FromMinutes(5);
}
