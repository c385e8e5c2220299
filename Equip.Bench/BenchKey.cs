using Equip.Testing;

namespace Equip.Bench;

/// The key every client of the bench sends: --key (or EQUIP_KEY) for a server given with
/// --server, else the admin key the bench configures the servers it starts with.
internal static class BenchKey
{
    public static string Value { get; private set; } = TestKeys.Admin;

    public static void Use(string? key)
    {
        if (!string.IsNullOrWhiteSpace(key))
        {
            Value = key;
        }
    }

    /// What the servers the bench starts are set to unless --set says otherwise: the admin key,
    /// and no rate limits (the scenarios measure the server, not its limits; flood sets them).
    public static IReadOnlyDictionary<string, string> ServerDefaults { get; } = new Dictionary<string, string>
    {
        ["Equip:Auth:AdminKey"] = TestKeys.Admin,
        ["Equip:RateLimits:Enabled"] = "false",
    };
}
