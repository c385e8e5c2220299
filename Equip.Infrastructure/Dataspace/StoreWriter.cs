using System.Data.Common;
using System.Text;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

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
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder();
        if (lockFirst && db.LockStateSql is { } lockState)
        {
            sql.Append(lockState).Append(";\n");
        }
        var items = Table.Of<Item>(db);
        var kept = work.Rows.Where(r => !r.Deleted).Select(r => r.Item).ToList();
        foreach (var chunk in kept.Chunk(RowsPerStatement))
        {
            items.Insert(command, sql, chunk, conflict: $"DO UPDATE SET {string.Join(", ", items.NonKeyColumns.Select(c => $"{c} = excluded.{c}"))}");
        }
        foreach (var chunk in work.Rows.Where(r => r.Deleted).Chunk(RowsPerStatement))
        {
            items.DeleteByKey(command, sql, chunk.Select(r => (object)r.Id));
        }
        var log = Table.Of<ChangeLogEntry>(db);
        foreach (var chunk in work.Events.Select(ChangeLogEntry.From).Chunk(RowsPerStatement))
        {
            log.Insert(command, sql, chunk, conflict: "DO NOTHING");
        }
        var state = Table.Of<DataspaceState>(db);
        state.Update(command, sql, new DataspaceState
        {
            CurrentRevision = work.Through,
            RevisionCeiling = work.Ceiling,
            PrunedThrough = work.PrunedThrough,
        });
        command.CommandText = sql.ToString();
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// A table as the EF model maps it: its quoted name and columns, and how each value becomes a
    /// parameter (the provider's type mapping, with its value converter).
    private sealed class Table(string name, IReadOnlyList<IProperty> columns, IReadOnlyList<IProperty> key)
    {
        private int _parameters;

        public IEnumerable<string> NonKeyColumns => columns.Except(key).Select(Quote);

        public static Table Of<T>(DbContext db)
        {
            var entity = db.Model.FindEntityType(typeof(T))!;
            return new Table(Quote(entity.GetTableName()!), [.. entity.GetProperties()], [.. entity.FindPrimaryKey()!.Properties]);
        }

        public void Insert<T>(DbCommand command, StringBuilder sql, IReadOnlyList<T> rows, string conflict) where T : class
        {
            sql.Append("INSERT INTO ").Append(name).Append(" (").AppendJoin(", ", columns.Select(Quote)).Append(") VALUES ");
            for (var r = 0; r < rows.Count; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns.Count; c++)
                {
                    sql.Append(c == 0 ? "" : ", ").Append(Parameter(command, columns[c], columns[c].GetGetter().GetClrValue(rows[r])));
                }
                sql.Append(')');
            }
            sql.Append(" ON CONFLICT (").AppendJoin(", ", key.Select(Quote)).Append(") ").Append(conflict).Append(";\n");
        }

        public void DeleteByKey(DbCommand command, StringBuilder sql, IEnumerable<object> keys)
        {
            sql.Append("DELETE FROM ").Append(name).Append(" WHERE ").Append(Quote(key[0])).Append(" IN (")
                .AppendJoin(", ", keys.Select(k => Parameter(command, key[0], k))).Append(");\n");
        }

        /// Every column but the key, of the row with the given row's key.
        public void Update<T>(DbCommand command, StringBuilder sql, T row) where T : class
        {
            sql.Append("UPDATE ").Append(name).Append(" SET ")
                .AppendJoin(", ", columns.Except(key).Select(c => $"{Quote(c)} = {Parameter(command, c, c.GetGetter().GetClrValue(row))}"))
                .Append(" WHERE ").AppendJoin(" AND ", key.Select(k => $"{Quote(k)} = {Parameter(command, k, k.GetGetter().GetClrValue(row))}"))
                .Append(";\n");
        }

        private string Parameter(DbCommand command, IProperty column, object? value)
        {
            var parameterName = $"@{name.Trim('"')}{_parameters++}";
            command.Parameters.Add(column.GetRelationalTypeMapping().CreateParameter(command, parameterName, value, column.IsNullable));
            return parameterName;
        }

        private static string Quote(IProperty column) => Quote(column.GetColumnName());

        private static string Quote(string identifier) => $"\"{identifier}\"";
    }
}
