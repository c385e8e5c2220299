namespace Equip.Domain.Peers;

/// A peer's association changed state: it registered (From is null the first time), its
/// association ended (reconnecting), its session ended (gone), or it came back. A new incarnation
/// is a restarted process; the same one returning found its session if it was not gone.
public sealed record PeerTransition(string PeerId, string Incarnation, PeerState? From, PeerState To, bool NewIncarnation, DateTimeOffset At);

/// In-process notification of committed peer transitions, in commit order. A new subscriber is
/// first handed the transitions the process still remembers (a bounded history), then live ones.
public interface IPeerFeed
{
    IDisposable Subscribe(Action<IReadOnlyList<PeerTransition>> onCommitted);
}
