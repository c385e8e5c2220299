using System.Globalization;
using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Protocol;

namespace Equip.Infrastructure.Components;

/// The names people call components by (docs/components.md, "Names"): given with a request or
/// later, else "Capability N", one more than the highest such number among the capability's
/// requests, so that two Sliders read "Slider 1" and "Slider 2" wherever they are shown.
internal static class ComponentNames
{
    public const int MaxLength = 100;

    /// The name as given, trimmed; refused when empty, too long or holding control characters.
    public static string Check(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            throw new InvalidItemException("A component's name may not be empty.");
        }
        if (trimmed.Length > MaxLength || trimmed.Any(char.IsControl) || HasLoneSurrogate(trimmed))
        {
            throw new InvalidItemException($"A component's name is at most {MaxLength} printable characters long.");
        }
        return trimmed;
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }
        return false;
    }

    /// "Capability N" for the next request of the capability.
    public static async Task<string> NextAsync(IDataspace dataspace, string capability, CancellationToken cancellationToken)
    {
        var pattern = new Pattern(Ect.ComponentRequest, new Dictionary<string, JsonElement> { ["capability"] = JsonSerializer.SerializeToElement(capability) });
        var highest = 0;
        foreach (var item in (await dataspace.SnapshotAsync(pattern, cancellationToken)).Items)
        {
            if (EctJson.Read<ComponentRequestFields>(item.Fields)?.Name is { } name
                && name.StartsWith(capability + " ", StringComparison.Ordinal)
                && int.TryParse(name.AsSpan(capability.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                highest = Math.Max(highest, number);
            }
        }
        return $"{capability} {highest + 1}";
    }
}
