using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;

namespace Equip.Infrastructure.Components;

/// What a request, link or constant is made of, checked before it is written into an item's
/// fields (writing an unpaired surrogate fails, so the dataspace's own check would come too late).
internal static class EctRules
{
    /// A capability, container, component or property name: as long as a peer id at most, and
    /// printable, so that every list and page shows it as given.
    public static void Name(string? name, string what)
    {
        if (name is not null && (name.Length > PeerRules.MaxIdLength || name.Any(char.IsControl)))
        {
            throw new InvalidItemException($"The {what} is at most {PeerRules.MaxIdLength} printable characters long.");
        }
    }

    /// Property values by name (a request's initial values), within the item limits.
    public static void Values(IReadOnlyDictionary<string, JsonElement>? values, ItemLimits limits, string what)
    {
        if (values is null)
        {
            return;
        }
        foreach (var name in values.Keys)
        {
            JsonRules.ValidateName(name, limits, what);
        }
        JsonRules.ValidateValues(values.Values, limits, what);
    }

    /// One value (a constant's, a property's), within the item limits.
    public static void Value(JsonElement value, ItemLimits limits, string what) => JsonRules.ValidateValues([value], limits, what);
}
