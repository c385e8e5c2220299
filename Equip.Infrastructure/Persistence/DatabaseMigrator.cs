using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace Equip.Infrastructure.Persistence;

/// Brings the schema up to date before anything else starts (registered as the first hosted service).
internal sealed class DatabaseMigrator(IDbContextFactory<EquipDbContext> contexts) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        await db.Database.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
