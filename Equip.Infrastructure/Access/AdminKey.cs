using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.Access;

/// The admin key: configured (Equip:Auth:AdminKey), or read from the data directory's key file,
/// or made at the first start and written there, readable by its owner only.
public sealed partial class AdminKey
{
    private readonly string _hash;

    public AdminKey(IOptions<AuthOptions> auth, IOptions<EquipOptions> equip, ILogger<AdminKey> logger)
    {
        if (!string.IsNullOrWhiteSpace(auth.Value.AdminKey))
        {
            _hash = Keys.Hash(auth.Value.AdminKey.Trim());
            return;
        }
        FilePath = Path.GetFullPath(Path.Combine(equip.Value.DataDirectory, auth.Value.AdminKeyFile));
        if (File.Exists(FilePath))
        {
            _hash = Keys.Hash(File.ReadAllText(FilePath).Trim());
            return;
        }
        var key = Keys.Generate(Keys.AdminPrefix);
        Write(FilePath, key);
        _hash = Keys.Hash(key);
        Generated = key;
        Made(logger, FilePath);
    }

    /// The key file, when the key is not configured.
    public string? FilePath { get; }

    /// The key made at this start, to print once; null when it existed before.
    public string? Generated { get; }

    private static void Write(string path, string key)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var writer = new StreamWriter(new FileStream(path, options));
        writer.WriteLine(key);
    }

    /// Names this admin key without revealing it (a part of its hash): a dashboard session
    /// signed in with another admin key is no longer valid.
    public string Stamp => _hash[..16];

    public bool Matches(string key) => MatchesHash(Keys.Hash(key));

    /// Whether a key's hash (Keys.Hash) is this admin key's.
    public bool MatchesHash(string hash) => Keys.HashesEqual(hash, _hash);

    [LoggerMessage(1, LogLevel.Information, "Made an admin key and stored it in {KeyFile} (readable by its owner only).")]
    private static partial void Made(ILogger logger, string keyFile);
}
