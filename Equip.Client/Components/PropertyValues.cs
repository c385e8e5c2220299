using System.Text.Json;

namespace Equip.Client.Components;

/// The property value types and their lossless conversions from JSON: a value that would change
/// on the way in (3.5 for an integer, "5" for a number) is refused rather than rounded or parsed.
internal static class PropertyValues
{
    public static string TypeOf<T>() =>
        typeof(T) == typeof(string) ? "string"
        : typeof(T) == typeof(double) ? "number"
        : typeof(T) == typeof(long) || typeof(T) == typeof(int) ? "integer"
        : typeof(T) == typeof(bool) ? "boolean"
        : typeof(T) == typeof(JsonElement) ? "json"
        : throw new NotSupportedException(
            $"A property holds string, double, long, int, bool or JsonElement, not {typeof(T).Name}.");

    /// Refuses what JSON cannot carry: null, NaN and infinities, an undefined JsonElement.
    public static void Check<T>(T value, string parameter)
    {
        switch (value)
        {
            case null:
                throw new ArgumentNullException(parameter, "A property value cannot be null.");
            case double number when !double.IsFinite(number):
                throw new ArgumentOutOfRangeException(parameter, number, "A number property holds finite values only.");
            case JsonElement { ValueKind: JsonValueKind.Undefined }:
                throw new ArgumentException("A json property needs a JSON value, not an undefined JsonElement.", parameter);
        }
    }

    public static JsonElement ToJson<T>(T value) =>
        value is JsonElement json ? json.Clone() : JsonSerializer.SerializeToElement(value);

    public static bool AreEqual<T>(T left, T right) =>
        left is JsonElement x && right is JsonElement y
            ? JsonElement.DeepEquals(x, y)
            : EqualityComparer<T>.Default.Equals(left, right);

    public static bool TryRead<T>(JsonElement json, out T value)
    {
        var read = TryRead(typeof(T), json, out var boxed);
        value = read ? (T)boxed! : default!;
        return read;
    }

    private static bool TryRead(Type type, JsonElement json, out object? value)
    {
        value = null;
        if (type == typeof(string) && json.ValueKind == JsonValueKind.String)
        {
            value = json.GetString();
        }
        else if (type == typeof(double) && json.ValueKind == JsonValueKind.Number && json.TryGetDouble(out var number))
        {
            value = number;
        }
        else if (type == typeof(long) && TryReadInteger(json, long.MinValue, long.MaxValue) is { } integer)
        {
            value = integer;
        }
        else if (type == typeof(int) && TryReadInteger(json, int.MinValue, int.MaxValue) is { } small)
        {
            value = (int)small;
        }
        else if (type == typeof(bool) && json.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            value = json.GetBoolean();
        }
        else if (type == typeof(JsonElement) && json.ValueKind != JsonValueKind.Undefined)
        {
            value = json.Clone();
        }
        return value is not null;
    }

    /// An integer written as 3, 3.0 or 3e0; null for a fraction, a string or out of range.
    private static long? TryReadInteger(JsonElement json, long min, long max)
    {
        if (json.ValueKind != JsonValueKind.Number)
        {
            return null;
        }
        if (json.TryGetInt64(out var exact))
        {
            return exact >= min && exact <= max ? exact : null;
        }
        return json.TryGetDecimal(out var written) && decimal.Truncate(written) == written && written >= min && written <= max
            ? (long)written
            : null;
    }
}
