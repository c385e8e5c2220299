using Microsoft.Extensions.Logging;

namespace Equip.Infrastructure.Dataspace;

internal static partial class DataspaceWriterLog
{
    [LoggerMessage(1, LogLevel.Warning, "A transaction of {Count} writes failed; retrying each write alone.")]
    public static partial void BatchFailed(ILogger logger, int count, Exception error);

    [LoggerMessage(3, LogLevel.Error, "Committing a transaction of {Count} writes failed; their outcome is unknown.")]
    public static partial void CommitOutcomeUnknown(ILogger logger, int count, Exception error);

    [LoggerMessage(4, LogLevel.Error, "Storing the changes written behind failed; they stay in memory and are tried again with the next flush or commit.")]
    public static partial void FlushFailed(ILogger logger, Exception error);

    [LoggerMessage(2, LogLevel.Error, "A write failed in the database.")]
    public static partial void WriteFailed(ILogger logger, Exception error);
}
