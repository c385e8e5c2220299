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
    // A transaction begins IMMEDIATE: it holds the database's write lock from its start.
    public override string? LockStateSql => null;

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
