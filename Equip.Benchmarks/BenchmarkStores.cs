using Equip.Testing;

namespace Equip.Benchmarks;

/// A fresh store per run: an SQLite file in a new directory, or a new database in one private
/// PostgreSQL cluster (fsync on, as in production).
internal sealed class BenchmarkStores : IAsyncDisposable
{
    private readonly List<string> _directories = [];
    private PrivatePostgres? _postgres;

    public async Task<(Dictionary<string, string> Settings, string Directory)> CreateAsync(string provider, bool groupCommit)
    {
        var directory = Directory.CreateTempSubdirectory("equip-bench-").FullName;
        _directories.Add(directory);
        var settings = new Dictionary<string, string>
        {
            ["Equip:DataDirectory"] = directory,
            ["Equip:Database:GroupCommit"] = groupCommit.ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        switch (provider)
        {
            case "sqlite":
                settings["Equip:Database:Provider"] = "Sqlite";
                break;
            case "postgres":
                _postgres ??= await PrivatePostgres.StartAsync(fsync: true);
                var database = $"bench_{Guid.NewGuid():N}";
                await _postgres.CreateDatabaseAsync(database);
                settings["Equip:Database:Provider"] = "Postgres";
                settings["Equip:Database:ConnectionString"] = _postgres.ConnectionString(database);
                break;
            default:
                throw new ArgumentException($"Unknown provider '{provider}': use sqlite or postgres.");
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
