namespace Equip.Infrastructure.Persistence;

/// The single row holding the global revision counter and how far the change log was pruned.
public sealed class DataspaceState
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;
    public long CurrentRevision { get; set; }
    public long PrunedThrough { get; set; }
}
