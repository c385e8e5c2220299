using Equip.Testing;

namespace Equip.Bench;

/// A fresh store per run: an SQLite file in a new directory, or a new database in one private
/// PostgreSQL cluster (fsync on, as in production), which pgbench shares in --compare.
internal sealed class BenchStores : IAsyncDisposable
{
    private readonly List<string> _directories = [];
    private PrivatePostgres? _postgres;

    public async Task<PrivatePostgres> PostgresAsync() => _postgres ??= await PrivatePostgres.StartAsync(fsync: true);

    public string NewDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("equip-bench-").FullName;
        _directories.Add(directory);
        return directory;
    }

    public async Task<(Dictionary<string, string> Settings, string Directory)> CreateAsync(string provider, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var directory = NewDirectory();
        var settings = new Dictionary<string, string>
        {
            ["Equip:DataDirectory"] = directory,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        switch (provider)
        {
            case "sqlite":
                settings["Equip:Database:Provider"] = "Sqlite";
                break;
            case "postgres":
                var postgres = await PostgresAsync();
                var database = $"bench_{Guid.NewGuid():N}";
                await postgres.CreateDatabaseAsync(database);
                settings["Equip:Database:Provider"] = "Postgres";
                settings["Equip:Database:ConnectionString"] = postgres.ConnectionString(database);
                break;
            default:
                throw new ArgumentException($"Unknown provider '{provider}': use sqlite or postgres.");
        }
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        return (settings, directory);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
        foreach (var directory in _directories)
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
