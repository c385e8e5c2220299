using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Equip.Infrastructure.Dataspace;

/// A table as the EF model maps it, for StoreWriter: its quoted name and columns, how each value
/// becomes a parameter (the provider's type mapping, with its value converter), and the SQL of
/// its statements. Made once per model and table, and each statement's text once per shape (a
/// multi-row insert once per row count): building them at every commit took a tenth of the
/// writer's turn, and the same text each time is what lets Npgsql run them prepared.
/// On PostgreSQL the parameters are positional ($1, $2, ...) and unnamed, so that Npgsql sends the
/// text as it is: with names (@p0) it parsed and rewrote every statement at every commit, and
/// looked each name up (about 6 % of the server's CPU in durable writes).
internal sealed class StoreTable
{
    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<Type, StoreTable>> Tables = [];

    private readonly bool _positional;
    private readonly string _name;
    private readonly Column[] _columns;
    private readonly Column[] _key;
    private readonly string _upsert;
    private readonly ConcurrentDictionary<(int Rows, bool Upsert), string> _inserts = new();
    private readonly string _update;
    private readonly Column[] _updateParameters;

    private StoreTable(IEntityType entity, bool positional)
    {
        _positional = positional;
        _name = Quote(entity.GetTableName()!);
        _columns = [.. entity.GetProperties().Select(p => new Column(p))];
        var key = entity.FindPrimaryKey()!.Properties;
        _key = [.. _columns.Where(c => key.Contains(c.Property))];
        var others = _columns.Except(_key).ToArray();
        _upsert = $"DO UPDATE SET {string.Join(", ", others.Select(c => $"{c.Name} = excluded.{c.Name}"))}";
        // The SET columns, then the key's: the parameters in the order the statement names them.
        _updateParameters = [.. others, .. _key];
        _update = $"UPDATE {_name} SET {string.Join(", ", others.Select((c, i) => $"{c.Name} = {Placeholder(i)}"))}"
            + $" WHERE {string.Join(" AND ", _key.Select((c, i) => $"{c.Name} = {Placeholder(others.Length + i)}"))}";
    }

    public static StoreTable Of<T>(DbContext db) =>
        Tables.GetValue(db.Model, _ => new()).GetOrAdd(typeof(T), (type, db) => new StoreTable(db.Model.FindEntityType(type)!, IsPositional(db)), db);

    /// Whether the store's statements take positional, unnamed parameters (PostgreSQL).
    public static bool IsPositional(DbContext db) => db.Database.IsNpgsql();

    /// A multi-row INSERT of the rows; upsert: a row whose key is stored replaces it, else the
    /// stored row is left as it is.
    public void Insert<T>(StoreStatement statement, IReadOnlyList<T> rows, bool upsert) where T : class
    {
        statement.Sql = _inserts.GetOrAdd((rows.Count, upsert), InsertSql);
        foreach (var row in rows)
        {
            foreach (var column in _columns)
            {
                statement.Add(column, column.Value(row));
            }
        }
    }

    public void DeleteByKey(StoreStatement statement, IReadOnlyList<object> keys)
    {
        statement.Sql = $"DELETE FROM {_name} WHERE {_key[0].Name} IN ({string.Join(", ", keys.Select((_, i) => Placeholder(i)))})";
        foreach (var key in keys)
        {
            statement.Add(_key[0], key);
        }
    }

    /// Every column but the key, of the row with the given row's key.
    public void Update<T>(StoreStatement statement, T row) where T : class
    {
        statement.Sql = _update;
        foreach (var column in _updateParameters)
        {
            statement.Add(column, column.Value(row));
        }
    }

    private string InsertSql((int Rows, bool Upsert) shape)
    {
        var sql = new StringBuilder("INSERT INTO ").Append(_name).Append(" (").AppendJoin(", ", _columns.Select(c => c.Name)).Append(") VALUES ");
        var n = 0;
        for (var r = 0; r < shape.Rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (").AppendJoin(", ", _columns.Select(_ => Placeholder(n++))).Append(')');
        }
        return sql.Append(" ON CONFLICT (").AppendJoin(", ", _key.Select(c => c.Name)).Append(") ").Append(shape.Upsert ? _upsert : "DO NOTHING").ToString();
    }

    private static readonly string[] ParameterNames = [.. Enumerable.Range(0, 8192).Select(i => $"@p{i}")];

    private static readonly string[] PositionalPlaceholders = [.. Enumerable.Range(1, 8192).Select(i => $"${i}")];

    /// A parameter's name in a statement with named parameters (@p0, @p1, ...).
    public static string ParameterName(int index) => index < ParameterNames.Length ? ParameterNames[index] : $"@p{index}";

    /// Where the parameter of that index goes in the statement's text.
    private string Placeholder(int index) =>
        !_positional ? ParameterName(index)
        : index < PositionalPlaceholders.Length ? PositionalPlaceholders[index]
        : $"${index + 1}";

    private static string Quote(string identifier) => $"\"{identifier}\"";

    /// A column: its quoted name, how its value is read from an entity and becomes a parameter.
    internal sealed class Column(IProperty property)
    {
        private readonly IClrPropertyGetter _getter = property.GetGetter();

        public IProperty Property => property;

        public string Name { get; } = Quote(property.GetColumnName());

        public RelationalTypeMapping Mapping { get; } = property.GetRelationalTypeMapping();

        public object? Value(object entity) => _getter.GetClrValue(entity);
    }
}

/// One statement of a store write: its text and its parameters, in order (named @p0, @p1, ..., or
/// unnamed where positional), made on a command of the connection's kind by each column's type
/// mapping.
internal sealed class StoreStatement(DbCommand maker, bool positional)
{
    public string Sql { get; set; } = "";

    public List<DbParameter> Parameters { get; } = [];

    public void Add(StoreTable.Column column, object? value) =>
        Parameters.Add(column.Mapping.CreateParameter(maker, positional ? "" : StoreTable.ParameterName(Parameters.Count), value, column.Property.IsNullable));
}
