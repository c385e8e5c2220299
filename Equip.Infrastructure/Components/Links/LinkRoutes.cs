namespace Equip.Infrastructure.Components.Links;

/// The links as the writer carries values along them: for each source property item, where its
/// value goes. The link engine makes a new table when links or properties change (never for a
/// value) and publishes it here; the writer reads the current one at each batch.
internal sealed class LinkRoutes
{
    private RoutingTable _table = RoutingTable.Empty;

    internal RoutingTable Current => Volatile.Read(ref _table);

    internal void Publish(RoutingTable table) => Volatile.Write(ref _table, table);
}

/// One link from the writer's side: the source and destination property items (by their stable
/// ids, whether or not they exist now), what the destination holds (its type, and whether it is
/// read-only; null while the engine has not seen the destination) and the link's state.
internal sealed record LinkRoute(Guid LinkId, Guid SourceItemId, Guid DestinationItemId, string? DestinationType, bool DestinationReadOnly, LinkState State);

/// Made whole and never changed after it is published (plain dictionaries: a new table is made at
/// every change of the wiring, often during a reconnect storm, so it must be cheap to make).
internal sealed class RoutingTable(IReadOnlyDictionary<Guid, LinkRoute[]> bySource, IReadOnlyDictionary<Guid, LinkRoute[]> byDestination, IReadOnlyDictionary<Guid, LinkRoute> byLink)
{
    public static readonly RoutingTable Empty = new(new Dictionary<Guid, LinkRoute[]>(), new Dictionary<Guid, LinkRoute[]>(), new Dictionary<Guid, LinkRoute>());

    public bool IsEmpty => byLink.Count == 0;

    public IReadOnlyDictionary<Guid, LinkRoute[]> BySource => bySource;

    public IReadOnlyDictionary<Guid, LinkRoute[]> ByDestination => byDestination;

    public IReadOnlyDictionary<Guid, LinkRoute> ByLink => byLink;

    public static RoutingTable Of(IEnumerable<LinkRoute> routes)
    {
        var all = routes.ToList();
        return new RoutingTable(
            all.GroupBy(r => r.SourceItemId).ToDictionary(g => g.Key, g => g.ToArray()),
            all.GroupBy(r => r.DestinationItemId).ToDictionary(g => g.Key, g => g.ToArray()),
            all.ToDictionary(r => r.LinkId));
    }
}

/// Where a link stands, written by the engine (what it knows of the two ends) and by the writer
/// (each value it carries): a status and when the link last carried a value. Read by the
/// dashboard and REST at any time; each field is written whole.
public sealed class LinkState
{
    private string _status = LinkStatus.SourceMissing;
    private long _lastValueAtTicks;

    public LinkStatus Read() =>
        new(Volatile.Read(ref _status), Volatile.Read(ref _lastValueAtTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null);

    internal void Set(string status) => Volatile.Write(ref _status, status);

    /// The link carried a value (or found it at the destination already) now.
    internal void Carried(DateTimeOffset now)
    {
        Volatile.Write(ref _status, LinkStatus.Active);
        Volatile.Write(ref _lastValueAtTicks, now.UtcTicks);
    }
}
