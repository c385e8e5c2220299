using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Equip.Tests.Persistence;

public sealed class MigrationTests
{
    [Fact]
    public void EachProvidersMigrationsMatchTheModel()
    {
        using var sqlite = EquipDbContextFactory.Create(DatabaseProvider.Sqlite, "Data Source=:memory:").CreateDbContext();
        using var postgres = EquipDbContextFactory.Create(DatabaseProvider.Postgres, "Host=127.0.0.1;Database=none").CreateDbContext();

        Assert.False(sqlite.Database.HasPendingModelChanges(), "Run: dotnet ef migrations add NAME --project Equip.Infrastructure --context SqliteEquipDbContext -o Persistence/Migrations/Sqlite");
        Assert.False(postgres.Database.HasPendingModelChanges(), "Run: dotnet ef migrations add NAME --project Equip.Infrastructure --context PostgresEquipDbContext -o Persistence/Migrations/Postgres");
    }
}
