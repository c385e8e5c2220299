namespace Equip.Domain.Peers;

/// Who a write comes from when it comes over a peer association; writes without one come from an
/// administrator (REST). Association numbers the peer's registrations, so that the end of an old
/// connection is not mistaken for the end of its replacement.
public sealed record PeerActor(string PeerId, string Incarnation, long Association);
