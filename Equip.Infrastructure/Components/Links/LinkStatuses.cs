using System.Collections.Concurrent;

namespace Equip.Infrastructure.Components.Links;

/// Where each link stands, as the link engine (what it knows of the two ends) and the writer
/// (each value it carries) last saw it: what the dashboard and REST show. Only the leader of a
/// cluster runs the link engine; a follower shows the leader's statuses as it last fetched them
/// (Mirror, every second: docs/scaling.md).
public sealed class LinkStatuses
{
    private readonly ConcurrentDictionary<Guid, LinkState> _states = new();
    private volatile IReadOnlyDictionary<Guid, LinkStatus>? _mirrored;

    public LinkStatus StatusOf(Guid linkId) =>
        _mirrored is { } mirrored ? mirrored.GetValueOrDefault(linkId) ?? Missing
        : _states.TryGetValue(linkId, out var state) ? state.Read() : Missing;

    /// Every link the engine knows, and where it stands.
    public Dictionary<Guid, LinkStatus> All() => _mirrored is { } mirrored
        ? new Dictionary<Guid, LinkStatus>(mirrored)
        : _states.ToDictionary(s => s.Key, s => s.Value.Read());

    /// Shows the statuses the leader's engine has (on a follower, which runs no engine).
    public void Mirror(IReadOnlyDictionary<Guid, LinkStatus> statuses) => _mirrored = statuses;

    private static LinkStatus Missing => new(LinkStatus.SourceMissing, null);

    internal LinkState StateOf(Guid linkId) => _states.GetOrAdd(linkId, _ => new LinkState());

    internal void Forget(Guid linkId) => _states.TryRemove(linkId, out _);
}
