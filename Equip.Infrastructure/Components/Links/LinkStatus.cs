namespace Equip.Infrastructure.Components.Links;

/// Where a link stands: active, sourceMissing, destinationOffline or typeMismatch, and when it
/// last carried a value.
public sealed record LinkStatus(string Status, DateTimeOffset? LastValueAt)
{
    public const string Active = "active";
    public const string SourceMissing = "sourceMissing";
    public const string DestinationOffline = "destinationOffline";
    public const string TypeMismatch = "typeMismatch";

    /// What keeps a link from carrying values, judged from its two ends (null: nothing does). The
    /// link engine judges its routes so, and the dashboard the links of the past.
    public static string? Blocked(bool hasSource, bool hasDestination, bool destinationReadOnly) =>
        !hasSource ? SourceMissing
        : !hasDestination ? DestinationOffline
        : destinationReadOnly ? TypeMismatch
        : null;
}
