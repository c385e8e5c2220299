using System.Data.Common;
using System.Text;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Equip.Infrastructure.Dataspace;

/// Writes a StoreWork in the context's transaction as one command of multi-row statements: the
/// item rows (upserted, so it matters not whether the store has a row, and a write of unknown
/// outcome can be written again), the deleted rows, the change log entries (an entry the store
/// has is left as it is), and the state row; with lockFirst, the state row's lock is taken first
/// in the same command (one round trip instead of two). Columns, names and value conversions
/// come from the EF model, so the rows read back as EF wrote them. EF's per-entity tracking
/// (about ten times the cost) is left to what is rarely written: peers, keys, sessions.
internal static class StoreWriter
{
    private const int RowsPerStatement = 500;

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
    /// round trip instead of three (BEGIN with the batch, then COMMIT). A statement the server
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
        var statements = new Statements();
        if (lockFirst && db.LockStateSql is { } lockState)
        {
            statements.Next().Sql.Append(lockState);
        }
        var items = Table.Of<Item>(db);
        foreach (var chunk in work.Rows.Where(r => !r.Deleted).Select(r => r.Item).Chunk(RowsPerStatement))
        {
            items.Insert(statements.Next(), chunk, conflict: $"DO UPDATE SET {string.Join(", ", items.NonKeyColumns.Select(c => $"{c} = excluded.{c}"))}");
        }
        foreach (var chunk in work.Rows.Where(r => r.Deleted).Chunk(RowsPerStatement))
        {
            items.DeleteByKey(statements.Next(), chunk.Select(r => (object)r.Id));
        }
        var log = Table.Of<ChangeLogEntry>(db);
        foreach (var chunk in work.Events.Select(ChangeLogEntry.From).Chunk(RowsPerStatement))
        {
            log.Insert(statements.Next(), chunk, conflict: "DO NOTHING");
        }
        Table.Of<DataspaceState>(db).Update(statements.Next(), new DataspaceState
        {
            CurrentRevision = work.Through,
            RevisionCeiling = work.Ceiling,
            PrunedThrough = work.PrunedThrough,
        });
        return statements;
    }

    /// The statements of one write, each with its own parameters; sent as one batch (one round
    /// trip) where the provider batches (Npgsql), one after another where it does not (SQLite, in
    /// process: a command of many statements would bind every parameter to each of them).
    private sealed class Statements
    {
        private readonly List<Statement> _all = [];

        public Statement Next()
        {
            var statement = new Statement();
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
                    command.CommandText = statement.Sql.ToString();
                    foreach (var parameter in statement.Parameters)
                    {
                        command.Parameters.Add(parameter);
                    }
                    batch.BatchCommands.Add(command);
                }
                await batch.ExecuteNonQueryAsync(cancellationToken);
                return;
            }
            foreach (var statement in _all)
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = statement.Sql.ToString();
                command.Parameters.AddRange(statement.Parameters.ToArray());
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    private sealed class Statement
    {
        public StringBuilder Sql { get; } = new();

        public List<DbParameter> Parameters { get; } = [];
    }

    /// A table as the EF model maps it: its quoted name and columns, and how each value becomes a
    /// parameter (the provider's type mapping, with its value converter).
    private sealed class Table(string name, IReadOnlyList<IProperty> columns, IReadOnlyList<IProperty> key, DbParameterFactory parameters)
    {
        public IEnumerable<string> NonKeyColumns => columns.Except(key).Select(Quote);

        public static Table Of<T>(DbContext db)
        {
            var entity = db.Model.FindEntityType(typeof(T))!;
            var factory = new DbParameterFactory(db.Database.GetDbConnection());
            return new Table(Quote(entity.GetTableName()!), [.. entity.GetProperties()], [.. entity.FindPrimaryKey()!.Properties], factory);
        }

        public void Insert<T>(Statement statement, IReadOnlyList<T> rows, string conflict) where T : class
        {
            var sql = statement.Sql;
            sql.Append("INSERT INTO ").Append(name).Append(" (").AppendJoin(", ", columns.Select(Quote)).Append(") VALUES ");
            for (var r = 0; r < rows.Count; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns.Count; c++)
                {
                    sql.Append(c == 0 ? "" : ", ").Append(Parameter(statement, columns[c], columns[c].GetGetter().GetClrValue(rows[r])));
                }
                sql.Append(')');
            }
            sql.Append(" ON CONFLICT (").AppendJoin(", ", key.Select(Quote)).Append(") ").Append(conflict);
        }

        public void DeleteByKey(Statement statement, IEnumerable<object> keys) =>
            statement.Sql.Append("DELETE FROM ").Append(name).Append(" WHERE ").Append(Quote(key[0])).Append(" IN (")
                .AppendJoin(", ", keys.Select(k => Parameter(statement, key[0], k))).Append(')');

        /// Every column but the key, of the row with the given row's key.
        public void Update<T>(Statement statement, T row) where T : class =>
            statement.Sql.Append("UPDATE ").Append(name).Append(" SET ")
                .AppendJoin(", ", columns.Except(key).Select(c => $"{Quote(c)} = {Parameter(statement, c, c.GetGetter().GetClrValue(row))}"))
                .Append(" WHERE ").AppendJoin(" AND ", key.Select(k => $"{Quote(k)} = {Parameter(statement, k, k.GetGetter().GetClrValue(row))}"));

        private string Parameter(Statement statement, IProperty column, object? value)
        {
            var parameterName = $"@p{statement.Parameters.Count}";
            statement.Parameters.Add(parameters.Create(column, parameterName, value));
            return parameterName;
        }

        private static string Quote(IProperty column) => Quote(column.GetColumnName());

        private static string Quote(string identifier) => $"\"{identifier}\"";
    }

    /// Parameters made by the column's type mapping (its converter and provider type), on a
    /// command of the connection's kind.
    private sealed class DbParameterFactory(DbConnection connection)
    {
        private readonly DbCommand _maker = connection.CreateCommand();

        public DbParameter Create(IProperty column, string name, object? value) =>
            column.GetRelationalTypeMapping().CreateParameter(_maker, name, value, column.IsNullable);
    }
}
