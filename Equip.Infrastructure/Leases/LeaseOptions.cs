namespace Equip.Infrastructure.Leases;

public sealed class LeaseOptions
{
    public const string Section = "Equip:Leases";

    /// How often expired items are looked for; expiry is noticed within this interval.
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
