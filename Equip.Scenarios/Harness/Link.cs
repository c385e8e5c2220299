namespace Equip.Scenarios.Harness;

/// A link from one requested Counter's doubled to another's count, as the scenarios create them:
/// a count n set on the source arrives as doubled 4n on the destination, computed by both devices.
public sealed record Link(Guid Id, Guid Source, Guid Destination)
{
    /// What the destination's doubled shows once the source's count n has travelled the link.
    public static long Arrived(long count) => 4 * count;

    public override string ToString() => $"link {Id} ({Source}.doubled -> {Destination}.count)";
}
