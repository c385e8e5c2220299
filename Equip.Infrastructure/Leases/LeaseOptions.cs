namespace Equip.Infrastructure.Leases;

public sealed class LeaseOptions
{
    public const string Section = "Equip:Leases";

    /// How often expired items are looked for; expiry is noticed within this interval. A look is
    /// one step into the in-memory expiry index, so a short interval costs next to nothing.
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// When a peer registers, its leases are cut to end at most this far ahead, so that items it
    /// no longer has (and so does not re-assert) expire even if it never says sync complete.
    public TimeSpan ReconnectWindow { get; set; } = TimeSpan.FromSeconds(30);
}
