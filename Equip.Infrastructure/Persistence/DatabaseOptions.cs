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

    /// Changes to process-bound items and unreliable values are answered and published at once
    /// and stored with the next commit, or within this interval when no commit comes (the
    /// original design's maxFlushInterval). A crash loses at most this much of them.
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// Writes waiting for the writer beyond this many make callers wait (back-pressure).
    [Range(1, 1_000_000)]
    public int WriteQueueCapacity { get; set; } = 10_000;

    /// Dataspace reads (snapshots, queries, change-log pages) running at once; more wait their turn.
    /// A reconnect storm otherwise starts hundreds of reads together, and the writer's statements
    /// queue behind them for the processor.
    [Range(1, 1_000)]
    public int MaxConcurrentReads { get; set; } = Math.Max(4, 2 * Environment.ProcessorCount);
}
