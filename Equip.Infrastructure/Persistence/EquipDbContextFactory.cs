using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.Persistence;

/// Makes contexts of the configured provider; everything else sees only EquipDbContext.
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
                return new EquipDbContextFactory(() => new SqliteEquipDbContext(sqlite));
            case DatabaseProvider.Postgres:
                var postgres = PostgresOptions(new DbContextOptionsBuilder<PostgresEquipDbContext>(), connectionString).Options;
                return new EquipDbContextFactory(() => new PostgresEquipDbContext(postgres));
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider.");
        }
    }

    internal static DbContextOptionsBuilder<SqliteEquipDbContext> SqliteOptions(DbContextOptionsBuilder<SqliteEquipDbContext> builder, string connectionString) =>
        builder.UseSqlite(connectionString).AddInterceptors(new SqlitePragmas());

    internal static DbContextOptionsBuilder<PostgresEquipDbContext> PostgresOptions(DbContextOptionsBuilder<PostgresEquipDbContext> builder, string connectionString) =>
        builder.UseNpgsql(connectionString);
}
