using System.ComponentModel.DataAnnotations;
using Equip.Domain.Dataspace;

namespace Equip.Infrastructure.Dataspace;

/// Equip:Limits:Items: how large an item, a pattern and a call may be. Every write path (REST,
/// the hub, the dashboard, the server's own engines) is held to them alike; a request beyond one
/// is refused with limit-reached (400 on REST). See docs/configuration.md.
public sealed class ItemLimitOptions
{
    public const string Section = "Equip:Limits:Items";

    /// Levels of objects and arrays in an item's fields, the fields object being the first. The
    /// JSON readers stop at 64 levels counting the request around the fields, hence at most 60.
    [Range(1, 60)]
    public int MaxFieldsDepth { get; set; } = ItemLimits.Default.MaxFieldsDepth;

    /// JSON values (objects, arrays, strings, numbers, booleans, nulls) in an item's fields.
    [Range(1, 10_000_000)]
    public int MaxFieldsNodes { get; set; } = ItemLimits.Default.MaxFieldsNodes;

    /// UTF-8 bytes of an item's fields as sent. Keep it below Equip:Limits:MaxRequestBodyBytes,
    /// which bounds every request and hub message first: above it, that limit is what refuses.
    [Range(2, int.MaxValue)]
    public int MaxFieldsBytes { get; set; } = ItemLimits.Default.MaxFieldsBytes;

    /// Characters of a property name anywhere in an item's fields or a pattern's.
    [Range(1, 100_000)]
    public int MaxFieldNameLength { get; set; } = ItemLimits.Default.MaxFieldNameLength;

    /// Items one hub Reassert call may carry.
    [Range(1, 10_000_000)]
    public int MaxReassertItems { get; set; } = ItemLimits.Default.MaxReassertItems;

    /// Values one hub SetValues call may carry.
    [Range(1, 10_000_000)]
    public int MaxValuesPerCall { get; set; } = ItemLimits.Default.MaxValuesPerCall;

    /// Field equalities one pattern may hold (REST field.NAME=VALUE parameters, the hub's Query and Subscribe).
    [Range(0, 100_000)]
    public int MaxPatternFields { get; set; } = ItemLimits.Default.MaxPatternFields;

    /// Characters of a hub subscription id.
    [Range(1, 100_000)]
    public int MaxSubscriptionIdLength { get; set; } = ItemLimits.Default.MaxSubscriptionIdLength;

    public ItemLimits ToLimits() => new()
    {
        MaxFieldsDepth = MaxFieldsDepth,
        MaxFieldsNodes = MaxFieldsNodes,
        MaxFieldsBytes = MaxFieldsBytes,
        MaxFieldNameLength = MaxFieldNameLength,
        MaxReassertItems = MaxReassertItems,
        MaxValuesPerCall = MaxValuesPerCall,
        MaxPatternFields = MaxPatternFields,
        MaxSubscriptionIdLength = MaxSubscriptionIdLength,
    };
}
