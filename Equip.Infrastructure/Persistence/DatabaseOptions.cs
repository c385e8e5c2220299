using System.ComponentModel.DataAnnotations;

namespace Equip.Infrastructure.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class DatabaseOptions
{
    public const string Section = "Equip:Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// Required for Postgres; for Sqlite, defaults to equip.db in the data directory.
    public string? ConnectionString { get; set; }

    /// Concurrent writes share one transaction and one flush to disk. Off: one transaction per write.
    public bool GroupCommit { get; set; } = true;

    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 256;

    /// Writes waiting for the writer beyond this many make callers wait (back-pressure).
    [Range(1, 1_000_000)]
    public int WriteQueueCapacity { get; set; } = 10_000;
}
