namespace Equip.Domain.Peers;

public enum PeerState
{
    Connected,
    Reconnecting,
    Gone,
}

/// A client process known to the dataspace: a stable peer id, and the incarnation (process start)
/// that currently speaks for it. Its association is the peer's one live connection.
public sealed class Peer
{
    private readonly List<PeerTransition> _transitions = [];

    private Peer()
    {
    }

    public string PeerId { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string Incarnation { get; private set; } = "";
    public PeerState State { get; private set; }
    public DateTimeOffset ConnectedAt { get; private set; }
    public DateTimeOffset LastSeenAt { get; private set; }
    public DateTimeOffset? ReconnectingSince { get; private set; }

    /// The incarnations the current one and its predecessors replaced, the latest first (at most
    /// PeerRules.MaxReplacedIncarnations): none may come back. A stale process that reconnects
    /// must not end the live one, or two would take turns ending each other; and one cut off
    /// while the device was replaced and restarted, which never heard it was fenced, must not
    /// end the live one when its network returns.
    public IReadOnlyList<string> ReplacedIncarnations { get; private set; } = [];

    /// Changes at every registration; items re-asserted since carry it, so that sync complete can
    /// sweep the ones that were not.
    public long SyncEpoch { get; private set; }

    /// The sync epoch at which the current incarnation first registered. Items last asserted
    /// before it were asserted by an earlier process, which the current one may never have known.
    public long IncarnationEpoch { get; private set; }

    public static Peer Register(string peerId, string incarnation, string name, long epoch, DateTimeOffset now)
    {
        var peer = new Peer
        {
            PeerId = peerId,
            Incarnation = incarnation,
            Name = name,
            State = PeerState.Connected,
            ConnectedAt = now,
            LastSeenAt = now,
            SyncEpoch = epoch,
            IncarnationEpoch = epoch,
        };
        peer._transitions.Add(new PeerTransition(peerId, incarnation, null, PeerState.Connected, NewIncarnation: true, now));
        return peer;
    }

    /// A new association. The session is present when the same incarnation returns before its
    /// session ended; a different incarnation ends the old one (the caller removes its items).
    public Registration Connect(string incarnation, string name, long epoch, DateTimeOffset now)
    {
        if (ReplacedIncarnations.Contains(incarnation))
        {
            throw new StaleIncarnationException(PeerId, incarnation);
        }
        if (incarnation != Incarnation)
        {
            ReplacedIncarnations = [Incarnation, .. ReplacedIncarnations.Take(PeerRules.MaxReplacedIncarnations - 1)];
            IncarnationEpoch = epoch;
        }
        var sessionPresent = incarnation == Incarnation && State != PeerState.Gone;
        var endedIncarnation = incarnation != Incarnation && State != PeerState.Gone ? Incarnation : null;
        _transitions.Add(new PeerTransition(PeerId, incarnation, State, PeerState.Connected, incarnation != Incarnation, now));
        Incarnation = incarnation;
        Name = name;
        State = PeerState.Connected;
        ConnectedAt = now;
        LastSeenAt = now;
        ReconnectingSince = null;
        SyncEpoch = epoch;
        return new Registration(sessionPresent, endedIncarnation);
    }

    public void Disconnect(DateTimeOffset now)
    {
        if (State == PeerState.Connected)
        {
            State = PeerState.Reconnecting;
            ReconnectingSince = now;
            LastSeenAt = now;
            _transitions.Add(new PeerTransition(PeerId, Incarnation, PeerState.Connected, PeerState.Reconnecting, false, now));
        }
    }

    /// The server restarted while the peer was connected: it is reconnecting, with its grace
    /// period counted from now (the start-up); its devices lost the server when it was last
    /// alive, which is when the transition says it went (the recovery timeline's "away").
    public void LostWithServer(DateTimeOffset lastAlive, DateTimeOffset now)
    {
        if (State == PeerState.Connected)
        {
            var lost = lastAlive < now && lastAlive > LastSeenAt ? lastAlive : now;
            State = PeerState.Reconnecting;
            ReconnectingSince = now;
            LastSeenAt = lost;
            _transitions.Add(new PeerTransition(PeerId, Incarnation, PeerState.Connected, PeerState.Reconnecting, false, lost));
        }
    }

    public void End(DateTimeOffset now)
    {
        if (State == PeerState.Connected)
        {
            LastSeenAt = now;
        }
        if (State != PeerState.Gone)
        {
            _transitions.Add(new PeerTransition(PeerId, Incarnation, State, PeerState.Gone, false, now));
        }
        State = PeerState.Gone;
        ReconnectingSince = null;
    }

    /// Sync complete removes an item only if this incarnation asserted it in an earlier association
    /// and has not asserted it in this one: the process held it and let it go while the server could
    /// not hear. What an earlier process asserted, and what no process of this peer ever asserted,
    /// is spared: a fresh process never sweeps items it has not yet learned about.
    public bool LetGoOf(long? assertedEpoch) =>
        assertedEpoch is { } epoch && epoch >= IncarnationEpoch && epoch < SyncEpoch;

    public bool IsGraceOver(DateTimeOffset now, TimeSpan grace) =>
        State == PeerState.Reconnecting && ReconnectingSince is { } since && since + grace <= now;

    /// Fencing: only the incarnation that registered last may write for this peer.
    public void EnsureSpeaksFor(PeerActor actor)
    {
        if (actor.Incarnation != Incarnation || State == PeerState.Gone)
        {
            throw new StaleIncarnationException(PeerId, actor.Incarnation);
        }
    }

    /// Whether this actor's connection is the peer's current association.
    public bool IsCurrentAssociation(PeerActor actor) => actor.Incarnation == Incarnation && actor.Association == SyncEpoch;

    /// The transitions since the last call, for the writer to publish once they are committed.
    public IReadOnlyList<PeerTransition> TakeTransitions()
    {
        if (_transitions.Count == 0)
        {
            return []; // the usual case: every hub write tracks its author's peer
        }
        var taken = _transitions.ToList();
        _transitions.Clear();
        return taken;
    }

    public PeerView ToView() => new(PeerId, Name, Incarnation, State, ConnectedAt, LastSeenAt);
}

public sealed record Registration(bool SessionPresent, string? EndedIncarnation);

public sealed record PeerView(string PeerId, string Name, string Incarnation, PeerState State, DateTimeOffset ConnectedAt, DateTimeOffset LastSeenAt);
