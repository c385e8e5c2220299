using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace Equip.Infrastructure.Persistence;

/// Brings the schema up to date before anything else starts (registered as the first hosted service).
internal sealed class DatabaseMigrator(IDbContextFactory<EquipDbContext> contexts) : IHostedService
{
    private const long MigrationLock = 0x4571756971;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        if (db is PostgresEquipDbContext)
        {
            // Nodes of a cluster started together migrate one after the other (the others then
            // find nothing to do): a session lock, held on the connection kept open meanwhile.
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationLock})", cancellationToken);
            try
            {
                await db.Database.MigrateAsync(cancellationToken);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLock})", CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            }
            return;
        }
        await db.Database.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
