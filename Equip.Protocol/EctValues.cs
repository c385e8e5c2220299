using System.Globalization;
using System.Text.Json;

namespace Equip.Protocol;

/// <summary>Property values and their types: string, number, integer, boolean, json.</summary>
public static class EctValues
{
    /// <summary>
    /// Converts a value to a property type where no information is lost: anything to json; a
    /// number or boolean to string (its JSON text); a whole number to integer; a string that reads
    /// as a number, an integer or a boolean to that type. A fractional number to integer, a
    /// non-numeric string to number, or null to anything but json are refused.
    /// </summary>
    public static bool TryConvert(JsonElement value, string type, out JsonElement converted)
    {
        converted = value;
        switch (type, value.ValueKind)
        {
            case ("json", _):
                return true;
            case ("string", JsonValueKind.String):
            case ("number", JsonValueKind.Number) when double.IsFinite(value.GetDouble()):
            case ("boolean", JsonValueKind.True or JsonValueKind.False):
                return true;
            case ("string", JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False):
                converted = JsonSerializer.SerializeToElement(value.GetRawText());
                return true;
            case ("integer", JsonValueKind.Number):
                return TryInteger(value.GetDouble(), value, out converted);
            case ("number", JsonValueKind.String) when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number):
                converted = JsonSerializer.SerializeToElement(number);
                return true;
            case ("integer", JsonValueKind.String) when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole):
                converted = JsonSerializer.SerializeToElement(whole);
                return true;
            case ("boolean", JsonValueKind.String) when value.GetString() is "true" or "false":
                converted = JsonSerializer.SerializeToElement(value.GetString() == "true");
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Whether every value of the source type converts to the destination type without loss
    /// (<see cref="TryConvert"/> never refuses it): the same type, anything to json, a number,
    /// integer or boolean to string, an integer to number. Other pairs (a string to a number, say)
    /// convert only for some values; a link between them shows typeMismatch for the others.
    /// </summary>
    public static bool AlwaysConverts(string sourceType, string destinationType) =>
        sourceType == destinationType
        || destinationType == "json"
        || (destinationType == "string" && sourceType is "number" or "integer" or "boolean")
        || (destinationType == "number" && sourceType == "integer");

    private static bool TryInteger(double number, JsonElement value, out JsonElement converted)
    {
        converted = value;
        if (value.TryGetInt64(out var whole))
        {
            converted = JsonSerializer.SerializeToElement(whole);
            return true;
        }
        if (Math.Floor(number) == number && number is >= long.MinValue and <= long.MaxValue)
        {
            converted = JsonSerializer.SerializeToElement((long)number);
            return true;
        }
        return false;
    }
}
