using System.Data;
using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.Persistence;

public sealed class PostgresEquipDbContext(DbContextOptions<PostgresEquipDbContext> options) : EquipDbContext(options)
{
    protected override string JsonColumnType => "jsonb";

    public override string LockStateSql => """SELECT 1 FROM dataspace_state WHERE "Id" = 1 FOR UPDATE""";

    public override async Task<IAsyncDisposable> BeginSnapshotAsync(CancellationToken cancellationToken) =>
        await Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
}
