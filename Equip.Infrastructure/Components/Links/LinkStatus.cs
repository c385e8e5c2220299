namespace Equip.Infrastructure.Components.Links;

/// Where a link stands: active, sourceMissing, destinationOffline or typeMismatch, and when it
/// last carried a value.
public sealed record LinkStatus(string Status, DateTimeOffset? LastValueAt)
{
    public const string Active = "active";
    public const string SourceMissing = "sourceMissing";
    public const string DestinationOffline = "destinationOffline";
    public const string TypeMismatch = "typeMismatch";
}
