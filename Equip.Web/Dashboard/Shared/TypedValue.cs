using System.Globalization;
using System.Text.Json;
using Equip.Protocol;

namespace Equip.Web.Dashboard.Shared;

/// Reads what a person typed as a value of a property type, with a message when it is not one.
public static class TypedValue
{
    public static bool TryParse(string? text, string type, out JsonElement value, out string error)
    {
        value = default;
        error = "";
        text ??= "";
        JsonElement? parsed = type switch
        {
            "string" => JsonSerializer.SerializeToElement(text),
            "number" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) => JsonSerializer.SerializeToElement(n),
            "integer" when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => JsonSerializer.SerializeToElement(i),
            "boolean" when text is "true" or "false" => JsonSerializer.SerializeToElement(text == "true"),
            "json" => Json(text),
            _ => null,
        };
        if (parsed is not { } ok || !EctValues.TryConvert(ok, type, out value))
        {
            error = type switch
            {
                "number" => $"'{text}' is not a number (use a dot for decimals).",
                "integer" => $"'{text}' is not a whole number.",
                "boolean" => "Choose true or false.",
                "json" => "Not valid JSON.",
                _ => $"Not a {type}.",
            };
            return false;
        }
        return true;
    }

    /// The text an input starts from for a value.
    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined => "",
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    private static JsonElement? Json(string text)
    {
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
