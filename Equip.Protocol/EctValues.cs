using System.Text.Json;

namespace Equip.Protocol;

/// <summary>Property values and their types: string, number, integer, boolean, json.</summary>
public static class EctValues
{
    /// <summary>
    /// Converts a value to a property type where no information is lost: 3.0 to integer 3, 3 to
    /// number 3, any value to json; 3.5 to integer, "5" to integer or true to string are refused.
    /// </summary>
    public static bool TryConvert(JsonElement value, string type, out JsonElement converted)
    {
        converted = value;
        switch (type)
        {
            case "json":
                return true;
            case "string":
                return value.ValueKind == JsonValueKind.String;
            case "boolean":
                return value.ValueKind is JsonValueKind.True or JsonValueKind.False;
            case "number":
                return value.ValueKind == JsonValueKind.Number && double.IsFinite(value.GetDouble());
            case "integer":
                if (value.ValueKind != JsonValueKind.Number)
                {
                    return false;
                }
                if (value.TryGetInt64(out var whole))
                {
                    converted = JsonSerializer.SerializeToElement(whole);
                    return true;
                }
                var number = value.GetDouble();
                if (Math.Floor(number) == number && number is >= long.MinValue and <= long.MaxValue)
                {
                    converted = JsonSerializer.SerializeToElement((long)number);
                    return true;
                }
                return false;
            default:
                return false;
        }
    }
}
