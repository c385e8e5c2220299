namespace Equip.Infrastructure.Dataspace;

/// Timestamps are kept to the millisecond, so that what a write answers equals what a later read
/// returns on either provider (SQLite's encoding keeps less than PostgreSQL's microseconds).
internal static class StoredTime
{
    public static DateTimeOffset Now(TimeProvider time)
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }
}
