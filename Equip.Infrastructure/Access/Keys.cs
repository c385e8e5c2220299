using System.Security.Cryptography;
using System.Text;

namespace Equip.Infrastructure.Access;

/// Keys are 32 random bytes in base64url behind a prefix saying what they are (eqa_ admin,
/// eqd_ device); the server keeps only their SHA-256. A fast hash is enough for keys of that
/// entropy (nothing to guess, unlike a password).
public static class Keys
{
    public const string AdminPrefix = "eqa_";
    public const string DevicePrefix = "eqd_";
    public const int MinLength = 16;
    public const int MaxLength = 512;
    private const int ShownPrefixLength = 10;

    public static string Generate(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// What a list shows of a key: enough to tell keys apart, too little to use.
    public static string Shown(string key) => key[..Math.Min(ShownPrefixLength, key.Length)];

    public static bool HashesEqual(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
