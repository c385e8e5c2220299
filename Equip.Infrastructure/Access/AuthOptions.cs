namespace Equip.Infrastructure.Access;

public sealed class AuthOptions
{
    public const string Section = "Equip:Auth";

    /// The admin key. When empty, the key in AdminKeyFile is used, made at the first start.
    public string? AdminKey { get; set; }

    /// Where the generated admin key is kept (readable by its owner only); relative paths resolve
    /// against the data directory.
    public string AdminKeyFile { get; set; } = "admin.key";

    /// How long a dashboard sign-in lasts without use (each use extends it).
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);
}
