using System.Data.Common;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Equip.Infrastructure.Dataspace;

/// Writes a StoreWork, in the context's transaction or (CommitAloneAsync) as a transaction of its
/// own in one round trip, as one command of multi-row statements: the
/// item rows (upserted, so it matters not whether the store has a row, and a write of unknown
/// outcome can be written again), the deleted rows, the change log entries (an entry the store
/// has is left as it is), and the state row; with lockFirst, the state row's lock is taken first
/// in the same command (one round trip instead of two). Columns, names and value conversions
/// come from the EF model, so the rows read back as EF wrote them. EF's per-entity tracking
/// (about ten times the cost) is left to what is rarely written: peers, keys, sessions.
internal static class StoreWriter
{
    /// Rows per multi-row statement: one statement per 500 rows where the statements go to the
    /// server in one batch (PostgreSQL: fewer statements to plan and send); a few where each
    /// statement is prepared and bound in process (SQLite binds every parameter by name, and
    /// finding a name scans the statement's names: a statement of 500 rows cost its flush
    /// millions of string comparisons).
    private const int RowsPerBatchedStatement = 500, RowsPerStatementInProcess = 16;

    public static async Task WriteAsync(EquipDbContext db, StoreWork work, bool lockFirst, CancellationToken cancellationToken)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("The store's work is written in the batch's transaction.");
        await Build(db, work, lockFirst).ExecuteAsync(transaction.Connection!, transaction, cancellationToken);
    }

    /// Whether the store commits a work in one round trip of its own (CommitAloneAsync).
    public static bool CommitsAlone(IDbContextFactory<EquipDbContext> contexts)
    {
        using var db = contexts.CreateDbContext();
        return db.LockStateSql is not null && db.Database.GetDbConnection().CanCreateBatch;
    }

    /// Writes and commits the work without a transaction of its own: PostgreSQL runs the
    /// statements of a batch, up to its one Sync, as one implicit transaction, so the state row's
    /// lock, the rows, the log entries and the state row commit together or not at all, in one
    /// round trip instead of two (the batch with BEGIN before it, then COMMIT). A statement the server
    /// refused rolled the whole batch back, and is thrown as it is; any other failure (the
    /// connection lost on the way) leaves the outcome unknown.
    public static async Task CommitAloneAsync(EquipDbContext db, StoreWork work, CancellationToken cancellationToken)
    {
        var statements = Build(db, work, lockFirst: true);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await statements.ExecuteAsync(db.Database.GetDbConnection(), transaction: null, cancellationToken);
        }
        catch (Exception error) when (error is not PostgresException)
        {
            throw new CommitOutcomeUnknownException(error);
        }
    }

    private static Statements Build(EquipDbContext db, StoreWork work, bool lockFirst)
    {
        var connection = db.Database.GetDbConnection();
        var statements = new Statements(connection.CreateCommand(), StoreTable.IsPositional(db));
        var rowsPerStatement = connection.CanCreateBatch ? RowsPerBatchedStatement : RowsPerStatementInProcess;
        if (lockFirst && db.LockStateSql is { } lockState)
        {
            statements.Next().Sql = lockState;
        }
        var items = StoreTable.Of<Item>(db);
        foreach (var chunk in work.Rows.Where(r => !r.Deleted).Select(r => r.Item).Chunk(rowsPerStatement))
        {
            items.Insert(statements.Next(), chunk, upsert: true);
        }
        foreach (var chunk in work.Rows.Where(r => r.Deleted).Chunk(rowsPerStatement))
        {
            items.DeleteByKey(statements.Next(), [.. chunk.Select(r => (object)r.Id)]);
        }
        var log = StoreTable.Of<ChangeLogEntry>(db);
        foreach (var chunk in work.Events.Select(ChangeLogEntry.From).Chunk(rowsPerStatement))
        {
            log.Insert(statements.Next(), chunk, upsert: false);
        }
        StoreTable.Of<DataspaceState>(db).Update(statements.Next(), new DataspaceState
        {
            CurrentRevision = work.Through,
            RevisionCeiling = work.Ceiling,
            PrunedThrough = work.PrunedThrough,
        });
        return statements;
    }

    /// The statements of one write, each with its own parameters; sent as one batch (one round
    /// trip) where the provider batches (Npgsql), one after another where it does not (SQLite, in
    /// process, one command per statement text, so that each text is prepared once: a command of
    /// many statements would bind every parameter to each of them).
    private sealed class Statements(DbCommand maker, bool positional)
    {
        private readonly List<StoreStatement> _all = [];

        public StoreStatement Next()
        {
            var statement = new StoreStatement(maker, positional);
            _all.Add(statement);
            return statement;
        }

        public async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
        {
            if (connection.CanCreateBatch)
            {
                await using var batch = connection.CreateBatch();
                batch.Transaction = transaction;
                foreach (var statement in _all)
                {
                    var command = batch.CreateBatchCommand();
                    command.CommandText = statement.Sql;
                    foreach (var parameter in statement.Parameters)
                    {
                        command.Parameters.Add(parameter);
                    }
                    batch.BatchCommands.Add(command);
                }
                await batch.ExecuteNonQueryAsync(cancellationToken);
                return;
            }
            var commands = new Dictionary<string, DbCommand>();
            try
            {
                foreach (var statement in _all)
                {
                    if (!commands.TryGetValue(statement.Sql, out var command))
                    {
                        command = connection.CreateCommand();
                        command.Transaction = transaction;
                        command.CommandText = statement.Sql;
                        commands.Add(statement.Sql, command);
                    }
                    command.Parameters.Clear();
                    command.Parameters.AddRange(statement.Parameters.ToArray());
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
            }
            finally
            {
                foreach (var command in commands.Values)
                {
                    await command.DisposeAsync();
                }
            }
        }
    }
}
