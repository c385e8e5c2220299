using Equip.Domain.Access;

namespace Equip.Domain.Peers;

/// Who a write comes from when it comes over a peer association; writes without one come from an
/// administrator (REST with the admin key, the dashboard, the server's engines). Association
/// numbers the peer's registrations, so that the end of an old connection is not mistaken for the
/// end of its replacement. Grant bounds what the connection's device key may publish (none for
/// the admin key).
public sealed record PeerActor(string PeerId, string Incarnation, long Association, DeviceGrant? Grant = null);
