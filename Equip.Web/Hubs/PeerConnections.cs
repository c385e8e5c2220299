using System.Collections.Concurrent;
using Equip.Protocol;

namespace Equip.Web.Hubs;

/// Which connection speaks for each peer on this server; a newer one replaces the older.
internal sealed class PeerConnections(ClosingHubLifetimeManager closer)
{
    private readonly ConcurrentDictionary<string, PeerConnection> _byConnection = new();
    private readonly ConcurrentDictionary<string, PeerConnection> _byPeer = new();

    public void Add(PeerConnection connection) => _byConnection[connection.Context.ConnectionId] = connection;

    public PeerConnection Get(string connectionId) =>
        _byConnection.TryGetValue(connectionId, out var connection)
            ? connection
            : throw new InvalidOperationException($"Connection {connectionId} is not known.");

    /// Makes the connection the peer's, and closes the one it replaces with the reason: a newer
    /// incarnation fences the old one off; a newer connection of the same process replaces it.
    /// Reconnecting cannot help either (it would only take the place back from the newer one).
    public void Claim(string peerId, PeerConnection connection)
    {
        PeerConnection? replaced = null;
        _byPeer.AddOrUpdate(peerId, connection, (_, previous) =>
        {
            replaced = previous == connection ? null : previous;
            return connection;
        });
        if (replaced is null)
        {
            return;
        }
        var incarnation = connection.Actor?.Incarnation;
        var reason = replaced.Actor?.Incarnation == incarnation
            ? $"{HubErrors.Replaced}: A newer connection of this process registered as peer '{peerId}'; this one is closed."
            : $"{HubErrors.StaleIncarnation}: Incarnation '{incarnation}' of peer '{peerId}' registered; this one ('{replaced.Actor?.Incarnation}') is fenced off and must stop.";
        _ = closer.CloseAsync(replaced.Context.ConnectionId, reason, allowReconnect: false); // the registration does not wait for it
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
