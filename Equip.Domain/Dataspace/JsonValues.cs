using System.Text.Json;

namespace Equip.Domain.Dataspace;

public static class JsonValues
{
    public static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// Structural equality, with numbers compared by value so that 1 and 1.0 are equal.
    /// DeepEquals compares numbers by their exact decimal value; going through a double (or a
    /// decimal) would make 9007199254740993 equal 9007199254740992, and 1e-30 equal 0.
    public static bool AreEqual(JsonElement a, JsonElement b) => JsonElement.DeepEquals(a, b);
}
