using System.ComponentModel.DataAnnotations;

namespace Equip.Infrastructure.ChangeLog;

public sealed class ChangeLogOptions
{
    public const string Section = "Equip:ChangeLog";

    /// Events beyond the newest this many are pruned.
    [Range(1, long.MaxValue)]
    public long RetainCount { get; set; } = 1_000_000;

    /// Events older than this are pruned, however few there are.
    public TimeSpan RetainAge { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// The latest stored events kept in memory as well, so that a reader resuming from a recent
    /// revision (a reconnecting peer's re-subscription, a REST follower) reads no store.
    [Range(0, 10_000_000)]
    public int MemoryWindow { get; set; } = 20_000;
}
