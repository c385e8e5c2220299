using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Equip.Web.Hubs.Connections;

/// The hub's lifetime manager (SignalR's default one inside, or a backplane's later) that also
/// keeps each connection's context, so that the server can close a connection with a reason: a
/// Close message carrying an error and whether reconnecting can help, instead of a bare close.
internal sealed class ClosingHubLifetimeManager(DefaultHubLifetimeManager<DataspaceHub> inner) : HubLifetimeManager<DataspaceHub>
{
    private readonly ConcurrentDictionary<string, HubConnectionContext> _connections = new();

    /// The connection's context, for writing to it directly (the hub's outboxes do).
    public HubConnectionContext ContextOf(string connectionId) => _connections[connectionId];

    /// Sends Close with the error, then closes the connection (nothing when no hub connection has
    /// that id, or not yet). Without a linger the connection is cut as soon as the Close is written (up to
    /// five seconds for the connection to take it), and the Close may not make it to the socket.
    /// With one, the Close is given that long in all to be sent and the client to close its side,
    /// and then the socket is cut before the hub connection is closed: SignalR closing a hub
    /// connection writes a Close of its own (with no error), which must not follow ours.
    public async Task CloseAsync(string connectionId, string error, bool allowReconnect, TimeSpan? linger = null)
    {
        if (!_connections.TryGetValue(connectionId, out var connection))
        {
            return;
        }
        var deadline = Stopwatch.GetTimestamp() + (long)((linger ?? TimeSpan.Zero).TotalSeconds * Stopwatch.Frequency);
        await TrySendAsync(connection, new CloseMessage(error, allowReconnect), linger ?? TimeSpan.FromSeconds(5));
        await UntilClosedAsync([connectionId], deadline);
        if (linger is not null)
        {
            connection.GetHttpContext()?.Abort();
        }
        connection.Abort();
    }

    /// Sends Close to every connection at once, gives the clients up to the grace period to close
    /// their side (so that the message is read, not cut off), then aborts the rest; returns how
    /// many there were.
    public async Task<int> CloseAllAsync(string error, bool allowReconnect, TimeSpan grace)
    {
        var all = _connections.Values.ToList();
        await Task.WhenAll(all.Select(c => TrySendAsync(c, new CloseMessage(error, allowReconnect), TimeSpan.FromSeconds(5))));
        await UntilClosedAsync(_connections.Keys, Stopwatch.GetTimestamp() + (long)(grace.TotalSeconds * Stopwatch.Frequency));
        foreach (var connection in _connections.Values)
        {
            connection.Abort();
        }
        return all.Count;
    }

    private async Task UntilClosedAsync(ICollection<string> connectionIds, long deadline)
    {
        while (connectionIds.Any(_connections.ContainsKey) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }
    }

    private static async Task TrySendAsync(HubConnectionContext connection, CloseMessage message, TimeSpan wait)
    {
        try
        {
            await connection.WriteAsync(message).AsTask().WaitAsync(wait);
        }
        catch (Exception sendFailed) when (sendFailed is TimeoutException or OperationCanceledException or IOException or InvalidOperationException)
        {
            // A connection that cannot take the message is closed all the same.
        }
    }

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections[connection.ConnectionId] = connection;
        return inner.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.TryRemove(connection.ConnectionId, out _);
        return inner.OnDisconnectedAsync(connection);
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendAllAsync(methodName, args, cancellationToken);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        inner.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendConnectionAsync(connectionId, methodName, args, cancellationToken);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken);

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendGroupAsync(groupName, methodName, args, cancellationToken);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendGroupsAsync(groupNames, methodName, args, cancellationToken);

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        inner.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendUserAsync(userId, methodName, args, cancellationToken);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        inner.SendUsersAsync(userIds, methodName, args, cancellationToken);

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        inner.AddToGroupAsync(connectionId, groupName, cancellationToken);

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        inner.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);

    public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken) =>
        inner.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken);

    public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result) =>
        inner.SetConnectionResultAsync(connectionId, result);

    public override bool TryGetReturnType(string invocationId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? type) =>
        inner.TryGetReturnType(invocationId, out type);
}
