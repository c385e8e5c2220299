namespace Equip.Infrastructure.Persistence;

/// The single row holding the global revision counter and how far the change log was pruned.
public sealed class DataspaceState
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    /// Everything through this revision is stored.
    public long CurrentRevision { get; set; }

    /// No revision above this one has been handed out. Changes written behind take revisions
    /// beyond CurrentRevision before they are stored; after a crash, the server goes on from
    /// here, so that no revision a client has seen is handed out twice.
    public long RevisionCeiling { get; set; }

    public long PrunedThrough { get; set; }
}

/// Revisions After+1..Through were handed out before a crash and may have been lost with the
/// changes written behind in them.
public sealed class RevisionGapEntry
{
    public long After { get; set; }
    public long Through { get; set; }
}
