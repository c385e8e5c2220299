using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Equip.Infrastructure.Persistence;

public sealed class SqliteEquipDbContext(DbContextOptions<SqliteEquipDbContext> options) : EquipDbContext(options)
{
    protected override string JsonColumnType => "TEXT";

    // The embedded store has one writer (this process's write queue), so a plain read suffices.
    // SQLite has one writer per database file: its write lock, taken at the first write, is the lock.
    public override Task LockStateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Deferred: a plain BEGIN takes no write lock until it writes, and in WAL mode reads a snapshot.
    public override async Task<IAsyncDisposable> BeginSnapshotAsync(CancellationToken cancellationToken)
    {
        await Database.OpenConnectionAsync(cancellationToken);
        var connection = (SqliteConnection)Database.GetDbConnection();
        return await Database.UseTransactionAsync(connection.BeginTransaction(deferred: true), cancellationToken)
            ?? throw new InvalidOperationException("SQLite did not start a transaction.");
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare DateTimeOffset text; stored as a number, expiry and age queries work.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
