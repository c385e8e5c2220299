using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Equip.Infrastructure.Persistence;

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteEquipDbContext>
{
    public SqliteEquipDbContext CreateDbContext(string[] args) =>
        new(EquipDbContextFactory.SqliteOptions(new DbContextOptionsBuilder<SqliteEquipDbContext>(), "Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresEquipDbContext>
{
    public PostgresEquipDbContext CreateDbContext(string[] args) =>
        new(EquipDbContextFactory.PostgresOptions(new DbContextOptionsBuilder<PostgresEquipDbContext>(), "Host=localhost;Database=equip").Options);
}
