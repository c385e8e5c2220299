using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Equip.Infrastructure.Persistence;

/// Makes contexts of the configured provider; everything else sees only EquipDbContext. Contexts
/// come from EF Core's pool: making one anew (its internal services resolved for each) was a
/// tenth of the server's CPU under durable writes, one context per commit.
public sealed class EquipDbContextFactory : IDbContextFactory<EquipDbContext>
{
    private readonly Func<EquipDbContext> _create;

    private EquipDbContextFactory(Func<EquipDbContext> create) => _create = create;

    public EquipDbContext CreateDbContext() => _create();

    public static EquipDbContextFactory Create(DatabaseProvider provider, string connectionString)
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
                return new EquipDbContextFactory(() => postgresPool.CreateDbContext());
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider.");
        }
    }

    internal static DbContextOptionsBuilder<SqliteEquipDbContext> SqliteOptions(DbContextOptionsBuilder<SqliteEquipDbContext> builder, string connectionString) =>
        builder.UseSqlite(connectionString).AddInterceptors(new SqlitePragmas());

    internal static DbContextOptionsBuilder<PostgresEquipDbContext> PostgresOptions(DbContextOptionsBuilder<PostgresEquipDbContext> builder, string connectionString) =>
        builder.UseNpgsql(connectionString);
}
