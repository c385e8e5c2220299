using System.Collections.Concurrent;
using Equip.Infrastructure.Access;
using Equip.Protocol;
using Equip.Web.Access;

namespace Equip.Web.Hubs.Connections;

/// Which connection speaks for each peer on this server; a newer one replaces the older.
internal sealed class PeerConnections
{
    private readonly ConcurrentDictionary<string, PeerConnection> _byConnection = new();
    private readonly ConcurrentDictionary<string, PeerConnection> _byPeer = new();
    private readonly ClosingHubLifetimeManager _closer;

    public PeerConnections(ClosingHubLifetimeManager closer, DeviceKeys keys, DashboardSessions sessions)
    {
        _closer = closer;
        keys.Revoked += CloseMadeWith;
        sessions.Ended += (session, _) => CloseWhere(c => c.Context.User.SessionId() == session,
            "The dashboard session this connection was made with is signed out.");
    }

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
        _ = _closer.CloseAsync(replaced.Context.ConnectionId, reason, allowReconnect: false); // the registration does not wait for it
    }

    /// Closes every connection made with the key: a revoked key stops working at once.
    private void CloseMadeWith(Guid keyId) =>
        CloseWhere(c => c.Context.User.KeyId() == keyId, "The key this connection was made with is revoked.");

    private void CloseWhere(Func<PeerConnection, bool> madeWith, string why)
    {
        foreach (var connection in _byConnection.Values.Where(madeWith))
        {
            _ = _closer.CloseAsync(connection.Context.ConnectionId, $"{HubErrors.KeyRevoked}: {why}", allowReconnect: false);
        }
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
