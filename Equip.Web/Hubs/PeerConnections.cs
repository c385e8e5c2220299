using System.Collections.Concurrent;

namespace Equip.Web.Hubs;

/// Which connection speaks for each peer on this server; a newer one replaces the older.
internal sealed class PeerConnections
{
    private readonly ConcurrentDictionary<string, PeerConnection> _byConnection = new();
    private readonly ConcurrentDictionary<string, PeerConnection> _byPeer = new();

    public void Add(PeerConnection connection) => _byConnection[connection.Context.ConnectionId] = connection;

    public PeerConnection Get(string connectionId) =>
        _byConnection.TryGetValue(connectionId, out var connection)
            ? connection
            : throw new InvalidOperationException($"Connection {connectionId} is not known.");

    /// Makes the connection the peer's, and closes the one it replaces.
    public void Claim(string peerId, PeerConnection connection)
    {
        PeerConnection? replaced = null;
        _byPeer.AddOrUpdate(peerId, connection, (_, previous) =>
        {
            replaced = previous == connection ? null : previous;
            return connection;
        });
        replaced?.Context.Abort();
    }

    public PeerConnection? Remove(string connectionId)
    {
        if (!_byConnection.TryRemove(connectionId, out var connection))
        {
            return null;
        }
        if (connection.Actor is { } actor)
        {
            _byPeer.TryRemove(new KeyValuePair<string, PeerConnection>(actor.PeerId, connection));
        }
        return connection;
    }
}
