using Equip.Protocol;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Equip.Bench.Scenarios;

/// A device connection as bare as the protocol allows: a SignalR connection that registers and
/// then only pings (every keepAlive), with none of Equip.Client's bookkeeping.
internal static class RawPeer
{
    public static async Task<HubConnection> ConnectAsync(Uri server, string peerId, TimeSpan keepAlive, CancellationToken cancellationToken = default)
    {
        var connection = new HubConnectionBuilder()
            // Straight to the WebSocket, as the protocol allows: no negotiate request, whose pooled
            // HTTP connection would double the sockets (and file descriptors) on both sides.
            .WithUrl(new Uri(server, HubNames.Path), o =>
            {
                o.SkipNegotiation = true;
                o.Transports = HttpTransportType.WebSockets;
                o.AccessTokenProvider = () => Task.FromResult<string?>(BenchKey.Value);
            })
            .Build();
        connection.KeepAliveInterval = keepAlive;
        connection.ServerTimeout = keepAlive < TimeSpan.FromMinutes(1) ? TimeSpan.FromSeconds(30) : TimeSpan.FromHours(2);
        await connection.StartAsync(cancellationToken);
        await connection.InvokeAsync<RegisterResponse>(HubNames.Register, new RegisterRequest
        {
            PeerId = peerId,
            Incarnation = Guid.NewGuid().ToString(),
            Name = peerId,
        }, cancellationToken);
        return connection;
    }
}
