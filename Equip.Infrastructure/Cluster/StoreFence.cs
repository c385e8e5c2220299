namespace Equip.Infrastructure.Cluster;

/// The term a leader commits in (docs/scaling.md, Fencing): null on a single node. Once set, every
/// commit that locks the dataspace's state row also checks, in the same statement, that the term in
/// the store is still this one; a leader whose term has passed commits nothing.
public sealed class StoreFence
{
    private long _term = -1;

    public long? Term => Volatile.Read(ref _term) is >= 0 and var term ? term : null;

    internal void Enter(long term) => Volatile.Write(ref _term, term);
}
