using System.Text.Json;

namespace Equip.Scenarios.Harness;

/// Reading the events of /api/events as the scenarios check them.
public static class ChangeEvents
{
    public static bool IsDeleteOf(JsonElement change, string type, string responsible) =>
        change.GetProperty("kind").GetString() == "deleted" && Is(change, type, responsible);

    public static bool Is(JsonElement change, string type, string responsible)
    {
        var item = change.GetProperty("item");
        return item.GetProperty("type").GetString() == type
            && item.TryGetProperty("responsible", out var owner) && owner.ValueKind == JsonValueKind.String && owner.GetString() == responsible;
    }
}
