using Equip.Infrastructure.Persistence;
using Equip.Testing;

namespace Equip.Tests.Support;

/// Where a test's store lives: the settings that select it, on either provider.
public sealed record TestStore(IReadOnlyDictionary<string, string> Settings, string DataDirectory) : IDisposable
{
    public static TestStore Sqlite()
    {
        var directory = Directory.CreateTempSubdirectory("equip-test-").FullName;
        return new TestStore(new Dictionary<string, string>
        {
            ["Equip:Database:Provider"] = "Sqlite",
            ["Equip:DataDirectory"] = directory,
            ["Equip:Auth:AdminKey"] = TestKeys.Admin,
        }, directory);
    }

    public static async Task<TestStore> PostgresAsync(PostgresFixture postgres)
    {
        var directory = Directory.CreateTempSubdirectory("equip-test-").FullName;
        return new TestStore(new Dictionary<string, string>
        {
            ["Equip:Database:Provider"] = "Postgres",
            ["Equip:Database:ConnectionString"] = await postgres.NewDatabaseAsync(),
            ["Equip:DataDirectory"] = directory,
            ["Equip:Auth:AdminKey"] = TestKeys.Admin,
        }, directory);
    }

    /// A context of the store's own, beside the server's (to hold its lock, or read what it stored).
    public EquipDbContext OpenDb()
    {
        var provider = Enum.Parse<DatabaseProvider>(Settings["Equip:Database:Provider"]);
        var connectionString = Settings.GetValueOrDefault("Equip:Database:ConnectionString") ?? $"Data Source={Path.Combine(DataDirectory, "equip.db")}";
        return EquipDbContextFactory.Create(provider, connectionString).CreateDbContext();
    }

    public TestStore With(string key, string value) =>
        this with { Settings = new Dictionary<string, string>(Settings) { [key] = value } };

    public void Dispose()
    {
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A killed server may still hold the directory for a moment; the OS cleans temp later.
        }
    }
}
