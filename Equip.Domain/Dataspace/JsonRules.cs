using System.Runtime.InteropServices;
using System.Text.Json;

namespace Equip.Domain.Dataspace;

/// What a JSON value the dataspace keeps or compares must be: within the limits, and storable by
/// every store alike (PostgreSQL's jsonb refuses a NUL character and an unpaired surrogate in a
/// string; a number beyond a double reads as infinity, which MessagePack clients cannot turn back
/// into JSON).
public static class JsonRules
{
    /// An item's fields: an object within every limit.
    public static void ValidateFields(JsonElement fields, ItemLimits limits)
    {
        if (fields.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidItemException($"An item's fields must be a JSON object, not {KindOf(fields)}.");
        }
        if (JsonMarshal.GetRawUtf8Value(fields).Length is var bytes && bytes > limits.MaxFieldsBytes)
        {
            throw new LimitReachedException(nameof(ItemLimits.MaxFieldsBytes),
                $"An item's fields are at most {limits.MaxFieldsBytes} bytes of JSON; these are {bytes}.");
        }
        var nodes = 0;
        Walk(fields, 1, ref nodes, limits, "the fields");
    }

    /// The values of a pattern's fields (or a property's value): the same rules as for an item,
    /// counted together, since a value that breaks them can match no item.
    public static void ValidateValues(IEnumerable<JsonElement> values, ItemLimits limits, string what)
    {
        var nodes = 0;
        long bytes = 0;
        foreach (var value in values)
        {
            if (value.ValueKind == JsonValueKind.Undefined)
            {
                throw new InvalidItemException($"A value in {what} is missing.");
            }
            bytes += JsonMarshal.GetRawUtf8Value(value).Length;
            if (bytes > limits.MaxFieldsBytes)
            {
                throw new LimitReachedException(nameof(ItemLimits.MaxFieldsBytes), $"At most {limits.MaxFieldsBytes} bytes of JSON may be in {what}.");
            }
            Walk(value, 1, ref nodes, limits, what);
        }
    }

    /// One value (a property's): the same rules as for an item's fields.
    public static void ValidateValue(JsonElement value, ItemLimits limits, string what)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            throw new InvalidItemException($"{what} is missing.");
        }
        if (JsonMarshal.GetRawUtf8Value(value).Length is var bytes && bytes > limits.MaxFieldsBytes)
        {
            throw new LimitReachedException(nameof(ItemLimits.MaxFieldsBytes), $"{what} is {bytes} bytes of JSON; an item's fields are at most {limits.MaxFieldsBytes}.");
        }
        var nodes = 0;
        Walk(value, 1, ref nodes, limits, what);
    }

    /// A property name: not too long, printable.
    public static void ValidateName(string name, ItemLimits limits, string what)
    {
        if (name.Length > limits.MaxFieldNameLength)
        {
            throw new LimitReachedException(nameof(ItemLimits.MaxFieldNameLength),
                $"A field name in {what} is at most {limits.MaxFieldNameLength} characters long; one is {name.Length}.");
        }
        if (name.Any(char.IsControl))
        {
            throw new InvalidItemException($"A field name in {what} holds a control character.");
        }
    }

    private static void Walk(JsonElement value, int depth, ref int nodes, ItemLimits limits, string what)
    {
        if (++nodes > limits.MaxFieldsNodes)
        {
            throw new LimitReachedException(nameof(ItemLimits.MaxFieldsNodes), $"At most {limits.MaxFieldsNodes} JSON values may be in {what}.");
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.Object or JsonValueKind.Array when depth > limits.MaxFieldsDepth:
                throw new LimitReachedException(nameof(ItemLimits.MaxFieldsDepth), $"Objects and arrays nest at most {limits.MaxFieldsDepth} levels deep in {what}.");
            case JsonValueKind.Object:
                HashSet<string>? names = null;
                foreach (var property in value.EnumerateObject())
                {
                    var name = TextOf(() => property.Name, what);
                    ValidateName(name, limits, what);
                    if (!(names ??= new HashSet<string>(StringComparer.Ordinal)).Add(name))
                    {
                        throw new InvalidItemException($"An object in {what} has two properties named '{name}'.");
                    }
                    Walk(property.Value, depth + 1, ref nodes, limits, what);
                }
                break;
            case JsonValueKind.Array:
                foreach (var element in value.EnumerateArray())
                {
                    Walk(element, depth + 1, ref nodes, limits, what);
                }
                break;
            case JsonValueKind.String when TextOf(value.GetString, what)!.Contains('\0'):
                throw new InvalidItemException($"A string in {what} holds a NUL character (\\u0000), which not every store can keep.");
            case JsonValueKind.Number when !(value.TryGetDouble(out var number) && double.IsFinite(number)):
                throw new InvalidItemException($"A number in {what} is beyond the range of a double: {Shortened(value.GetRawText())}.");
        }
    }

    /// The text of a string or name; JSON text that is not valid Unicode (an unpaired surrogate
    /// escape such as \ud800, or bytes that are not UTF-8) cannot be read as one.
    private static string TextOf(Func<string?> read, string what)
    {
        try
        {
            return read() ?? "";
        }
        catch (InvalidOperationException)
        {
            throw new InvalidItemException($"A string in {what} is not valid Unicode (an unpaired surrogate, or bytes that are not UTF-8).");
        }
    }

    private static string KindOf(JsonElement value) => value.ValueKind == JsonValueKind.Undefined ? "missing" : value.ValueKind.ToString().ToLowerInvariant();

    private static string Shortened(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
