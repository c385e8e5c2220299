using Equip.Domain.Peers;
using Equip.Infrastructure.Components;
using Equip.Infrastructure.Components.Links;
using Equip.Protocol;

namespace Equip.Web.Dashboard.Live;

/// The peers' transitions as a timeline, and each return as a recovery: how long the peer was
/// away, and when every link into or out of its components carried a value again.
internal sealed class RecoveryTimeline(int capacity, TimeSpan watch)
{
    private readonly LinkedList<TimelineEntry> _entries = new();
    private readonly Dictionary<string, (DateTimeOffset AwayAt, DateTimeOffset? GoneAt)> _away = [];
    private readonly Dictionary<string, LinkedListNode<TimelineEntry>> _watching = [];
    private readonly Dictionary<string, string> _peerOfContainer = [];

    public void Add(IEnumerable<PeerTransition> transitions)
    {
        foreach (var t in transitions)
        {
            switch (t.To)
            {
                case PeerState.Reconnecting:
                    _away[t.PeerId] = (t.At, null);
                    Append(new TimelineEntry(t.At, t.PeerId, "reconnecting", t.To, null));
                    break;
                case PeerState.Gone:
                    _away[t.PeerId] = _away.TryGetValue(t.PeerId, out var away) ? away with { GoneAt = t.At } : (t.At, t.At);
                    Append(new TimelineEntry(t.At, t.PeerId, "gone: its process-bound items were removed", t.To, null));
                    break;
                case PeerState.Connected when t.From is null:
                    Append(new TimelineEntry(t.At, t.PeerId, "connected for the first time", t.To, null));
                    break;
                default:
                    Back(t);
                    break;
            }
        }
    }

    /// Containers keep their peer after they are gone, so a returning peer's links can be found
    /// before its containers are published again.
    public void RememberContainer(string containerId, string? peerId)
    {
        if (peerId is not null)
        {
            _peerOfContainer[containerId] = peerId;
        }
    }

    /// Looks at the links of every peer that is back and not yet flowing; true when an entry changed.
    public bool Watch(InstallationSnapshot snapshot, DateTimeOffset now)
    {
        if (_watching.Count == 0)
        {
            return false;
        }
        var changed = false;
        var linksOf = LinksByPeer(snapshot);
        foreach (var (peerId, node) in _watching.ToList())
        {
            var recovery = node.Value.Recovery!;
            var links = linksOf[peerId].ToList();
            DateTimeOffset? flowing = links.Count == 0 ? recovery.BackAt
                : links.All(l => l.Status.Status == LinkStatus.Active && l.Status.LastValueAt >= recovery.BackAt)
                    ? links.Max(l => l.Status.LastValueAt)
                    : null;
            var gaveUp = flowing is null && now - recovery.BackAt > watch;
            if (flowing is not null || gaveUp)
            {
                node.Value = node.Value with { Recovery = recovery with { LinksFlowingAt = flowing, Links = links.Count, GaveUp = gaveUp } };
                _watching.Remove(peerId);
                changed = true;
            }
            else if (links.Count != recovery.Links)
            {
                node.Value = node.Value with { Recovery = recovery with { Links = links.Count } };
                changed = true;
            }
        }
        return changed;
    }

    /// Newest first.
    public IReadOnlyList<TimelineEntry> Entries() => [.. _entries.Reverse()];

    private void Back(PeerTransition t)
    {
        var (awayAt, goneAt) = _away.Remove(t.PeerId, out var away) ? away : (t.At, (DateTimeOffset?)null);
        var sessionKept = t.From == PeerState.Reconnecting && !t.NewIncarnation;
        var what = t.NewIncarnation ? "back as a new incarnation (the process restarted)"
            : sessionKept ? "back, session kept"
            : "back after its session ended";
        var recovery = new Recovery(awayAt, goneAt, t.At, t.NewIncarnation, sessionKept, sessionKept ? t.At : null, 0, false);
        var node = Append(new TimelineEntry(t.At, t.PeerId, what, t.To, recovery));
        if (sessionKept)
        {
            _watching.Remove(t.PeerId);
        }
        else
        {
            _watching[t.PeerId] = node;
        }
    }

    private LinkedListNode<TimelineEntry> Append(TimelineEntry entry)
    {
        var node = _entries.AddLast(entry);
        while (_entries.Count > capacity)
        {
            var first = _entries.First!;
            if (_watching.TryGetValue(first.Value.PeerId, out var watched) && watched == first)
            {
                _watching.Remove(first.Value.PeerId);
            }
            _entries.RemoveFirst();
        }
        return node;
    }

    /// Each link under the peers at its two ends (once when both are the same peer).
    private ILookup<string, LinkRow> LinksByPeer(InstallationSnapshot snapshot)
    {
        var containerOfRequest = snapshot.Requests.ToDictionary(r => r.Item.Id, r => r.Fields.AssignedContainerId ?? r.Fields.ContainerId);
        string? PeerOf(PropertyReference reference)
        {
            var container = reference.ComponentRequestId is { } request ? containerOfRequest.GetValueOrDefault(request) : reference.ContainerId;
            return container is not null && _peerOfContainer.TryGetValue(container, out var peer) ? peer : null;
        }
        return snapshot.Links
            .SelectMany(l => new[] { PeerOf(l.Fields.Source), PeerOf(l.Fields.Destination) }.OfType<string>().Distinct().Select(peer => (peer, l)))
            .ToLookup(x => x.peer, x => x.l);
    }
}
