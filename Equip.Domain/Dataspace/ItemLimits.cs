namespace Equip.Domain.Dataspace;

/// The sizes an item, a pattern and a call may reach, whichever interface they came through.
/// Infrastructure binds them from configuration (Equip:Limits:Items); a refusal beyond one is a
/// LimitReachedException naming it.
public sealed record ItemLimits
{
    public static readonly ItemLimits Default = new();

    /// Levels of objects and arrays in an item's fields, the fields object itself being the first.
    public int MaxFieldsDepth { get; init; } = 32;

    /// JSON values in an item's fields (every object, array, string, number, true, false and null,
    /// the fields object included).
    public int MaxFieldsNodes { get; init; } = 10_000;

    /// UTF-8 bytes of an item's fields as written (its JSON text).
    public int MaxFieldsBytes { get; init; } = 256 * 1024;

    /// Characters of a property name anywhere in an item's fields or a pattern's.
    public int MaxFieldNameLength { get; init; } = 256;

    /// Items one Reassert call may carry.
    public int MaxReassertItems { get; init; } = 10_000;

    /// Values one SetValues call may carry.
    public int MaxValuesPerCall { get; init; } = 10_000;

    /// Field equalities one pattern (a query or a subscription) may hold.
    public int MaxPatternFields { get; init; } = 64;

    /// Characters of a subscription id.
    public int MaxSubscriptionIdLength { get; init; } = 256;
}
