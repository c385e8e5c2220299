using System.Text.Json;

namespace Equip.Domain.Dataspace;

public static class JsonValues
{
    public static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// Structural equality, with numbers compared by value so that 1 and 1.0 are equal.
    public static bool AreEqual(JsonElement a, JsonElement b)
    {
        if (a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number)
        {
            return a.GetDecimalOrDouble() == b.GetDecimalOrDouble();
        }
        return JsonElement.DeepEquals(a, b);
    }

    private static double GetDecimalOrDouble(this JsonElement number) =>
        number.TryGetDecimal(out var d) ? (double)d : number.GetDouble();
}
