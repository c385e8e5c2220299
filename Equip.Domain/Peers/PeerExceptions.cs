using Equip.Domain.Dataspace;

namespace Equip.Domain.Peers;

public sealed class StaleIncarnationException(string peerId, string incarnation)
    : DataspaceException($"Incarnation '{incarnation}' of peer '{peerId}' has been replaced or ended; its writes are refused.");

public sealed class InvalidPeerException(string message) : DataspaceException(message);
