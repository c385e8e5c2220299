using System.Collections.Concurrent;
using Equip.Infrastructure.Peers;
using Equip.Protocol;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Equip.Web.Hubs.Connections;

/// Closes a hub connection from which nothing has arrived for Equip:Peers:ClientTimeout, counted
/// from the moment the connection was made: any byte (a call, a ping, the handshake) counts.
/// SignalR's own client timeout starts only at a client's first ping, so a client that never pings
/// (power lost right after registering, or a client library that sends no pings while it is busy)
/// would otherwise stay connected, its items never cleaned up. Liveness must not depend on what a
/// client library happens to send.
/// The close is always the same on the wire: a Close message with a client-timeout error and
/// allowReconnect true, then the transport closes (SignalR's own client timeout, which would race
/// it with a Close of its own, is set further out in HubSetup). A connection still in its
/// handshake has no hub connection to send Close on, and is just closed.
/// It keeps real time, as SignalR's own timeouts do, not the dataspace's TimeProvider: a test that
/// moves the dataspace's clock on (leases, grace periods) must not make live connections silent.
internal sealed class ConnectionLiveness(IOptions<PeerOptions> options, ClosingHubLifetimeManager hubConnections, ILogger<ConnectionLiveness> logger) : BackgroundService
{
    private static readonly TimeProvider Time = TimeProvider.System;
    private readonly ConcurrentDictionary<string, Watched> _connections = new();

    /// Connection middleware: watches what arrives on the connection while the hub serves it.
    public async Task ServeAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var watched = new Watched(connection, Time.GetTimestamp());
        connection.Transport = new WatchedTransport(connection.Transport, () => watched.Heard(Time.GetTimestamp()));
        _connections[connection.ConnectionId] = watched;
        try
        {
            await next(connection);
        }
        finally
        {
            _connections.TryRemove(connection.ConnectionId, out _);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timeout = options.Value.ClientTimeout;
        var step = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(50).Ticks, timeout.Ticks / 8));
        using var timer = new PeriodicTimer(step, Time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = Time.GetTimestamp();
            foreach (var (id, watched) in _connections)
            {
                if (Time.GetElapsedTime(watched.LastHeard, now) > timeout && _connections.TryRemove(id, out _))
                {
                    ConnectionLivenessLog.Silent(logger, id, timeout.TotalSeconds);
                    _ = CloseAsync(id, watched.Connection, timeout, step); // one dead socket does not hold up the sweep
                }
            }
        }
    }

    /// Close first, so that a client still listening learns why; the Close is given one sweep step
    /// to be sent and answered, so the close is never later than the documented bound.
    private async Task CloseAsync(string id, ConnectionContext connection, TimeSpan timeout, TimeSpan linger)
    {
        var reason = $"{HubErrors.ClientTimeout}: Nothing arrived for {timeout.TotalSeconds:0.###} s (Equip:Peers:ClientTimeout); reconnect.";
        await hubConnections.CloseAsync(id, reason, allowReconnect: true, linger);
        connection.Abort(new ConnectionAbortedException(reason));
    }

    private sealed class Watched(ConnectionContext connection, long madeAt)
    {
        private long _lastHeard = madeAt;

        public ConnectionContext Connection => connection;

        public long LastHeard => Volatile.Read(ref _lastHeard);

        public void Heard(long at) => Volatile.Write(ref _lastHeard, at);
    }
}

internal static partial class ConnectionLivenessLog
{
    [LoggerMessage(1, LogLevel.Information, "Connection {ConnectionId} closed: nothing arrived for {Seconds} s.", EventName = "SilentConnectionClosed")]
    public static partial void Silent(ILogger logger, string connectionId, double seconds);
}
