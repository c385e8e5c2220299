using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Equip.Infrastructure.Cluster;
using Npgsql;

namespace Equip.Infrastructure.Persistence;

/// Makes contexts of the configured provider; everything else sees only EquipDbContext. Contexts
/// come from EF Core's pool: making one anew (its internal services resolved for each) was a
/// tenth of the server's CPU under durable writes, one context per commit.
public sealed class EquipDbContextFactory : IDbContextFactory<EquipDbContext>
{
    private readonly Func<EquipDbContext> _create;

    private EquipDbContextFactory(Func<EquipDbContext> create) => _create = create;

    public EquipDbContext CreateDbContext() => _create();

    public static EquipDbContextFactory Create(DatabaseProvider provider, string connectionString, StoreFence? fence = null)
    {
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                var sqlite = SqliteOptions(new DbContextOptionsBuilder<SqliteEquipDbContext>(), connectionString).Options;
                var sqlitePool = new PooledDbContextFactory<SqliteEquipDbContext>(sqlite);
                return new EquipDbContextFactory(() => sqlitePool.CreateDbContext());
            case DatabaseProvider.Postgres:
                var postgres = PostgresOptions(new DbContextOptionsBuilder<PostgresEquipDbContext>(), connectionString).Options;
                var postgresPool = new PooledDbContextFactory<PostgresEquipDbContext>(postgres);
                return new EquipDbContextFactory(() =>
                {
                    var db = postgresPool.CreateDbContext();
                    db.Fence = fence;
                    return db;
                });
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider.");
        }
    }

    internal static DbContextOptionsBuilder<SqliteEquipDbContext> SqliteOptions(DbContextOptionsBuilder<SqliteEquipDbContext> builder, string connectionString) =>
        builder.UseSqlite(connectionString).AddInterceptors(new SqlitePragmas());

    internal static DbContextOptionsBuilder<PostgresEquipDbContext> PostgresOptions(DbContextOptionsBuilder<PostgresEquipDbContext> builder, string connectionString) =>
        builder.UseNpgsql(WithPostgresDefaults(connectionString));

    /// Npgsql settings the store's few statement shapes profit from, unless the connection string
    /// sets them: statements used often are prepared once per connection (parsing and planning them
    /// for each commit was a quarter of PostgreSQL's time under durable writes), and a connection
    /// back in the pool is not reset with DISCARD ALL (which would drop them; Equip changes no
    /// session state). docs/configuration.md lists them.
    internal static string WithPostgresDefaults(string connectionString)
    {
        // Npgsql's builder claims every keyword it knows; the plain builder keeps only those given.
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()).ToHashSet();
        var result = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("maxautoprepare"))
        {
            result.MaxAutoPrepare = 64;
        }
        if (!given.Contains("noresetonclose"))
        {
            result.NoResetOnClose = true;
        }
        return result.ConnectionString;
    }
}
