using Equip.Testing;

namespace Equip.Tests.Support;

/// One private PostgreSQL cluster for every test of the collection; each test store gets a fresh database.
public sealed class PostgresFixture : IAsyncLifetime
{
    private PrivatePostgres? _cluster;

    public PrivatePostgres Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    public async Task<string> NewDatabaseAsync()
    {
        var name = $"equip_{Guid.NewGuid():N}";
        await Cluster.CreateDatabaseAsync(name);
        return Cluster.ConnectionString(name);
    }

    public async Task InitializeAsync() => _cluster = await PrivatePostgres.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
