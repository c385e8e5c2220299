using System.Collections.Concurrent;

namespace Equip.Infrastructure.Components.Links;

/// Where each link stands, as the link engine (what it knows of the two ends) and the writer
/// (each value it carries) last saw it: what the dashboard and REST show.
public sealed class LinkStatuses
{
    private readonly ConcurrentDictionary<Guid, LinkState> _states = new();

    public LinkStatus StatusOf(Guid linkId) => _states.TryGetValue(linkId, out var state) ? state.Read() : new LinkStatus(LinkStatus.SourceMissing, null);

    internal LinkState StateOf(Guid linkId) => _states.GetOrAdd(linkId, _ => new LinkState());

    internal void Forget(Guid linkId) => _states.TryRemove(linkId, out _);
}
