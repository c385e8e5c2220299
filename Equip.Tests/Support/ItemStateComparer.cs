using Equip.Domain.Dataspace;

namespace Equip.Tests.Support;

/// Item states are equal when every field is, with fields compared as JSON rather than by reference
/// (ItemState's own equality).
public sealed class ItemStateComparer : IEqualityComparer<ItemState?>
{
    public static readonly ItemStateComparer Instance = new();

    public bool Equals(ItemState? x, ItemState? y) => x is null || y is null ? x is null && y is null : x.Equals(y);

    public int GetHashCode(ItemState? obj) => obj?.Id.GetHashCode() ?? 0;
}
