using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Equip.Tests.Support;

/// The hub at the wire level, JSON protocol over a WebSocket with no SignalR client library: it
/// sends exactly what a test writes (no pings of its own).
public sealed class RawHubSocket : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';
    private readonly ClientWebSocket _socket = new();
    private readonly Queue<JsonElement> _received = new();
    private int _invocation;

    public static async Task<RawHubSocket> ConnectAsync(Uri server)
    {
        var raw = new RawHubSocket();
        var address = new UriBuilder(new Uri(server, "/hubs/dataspace")) { Scheme = "ws" }.Uri;
        await raw._socket.ConnectAsync(address, CancellationToken.None).WaitAsync(Wait.Timeout);
        await raw.SendAsync("""{"protocol":"json","version":1}""");
        var handshake = await raw.ReceiveAsync();
        if (handshake.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"Handshake refused: {error}");
        }
        return raw;
    }

    public bool IsOpen => _socket.State == WebSocketState.Open;

    /// Sends an invocation and returns its id (the answer is not awaited).
    public async Task<string> InvokeAsync(string target, params object[] arguments)
    {
        var id = (++_invocation).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await SendAsync(JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments }, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        return id;
    }

    /// The next message that is not a ping.
    public async Task<JsonElement> ReceiveAsync()
    {
        while (true)
        {
            while (_received.TryDequeue(out var queued))
            {
                if (!queued.TryGetProperty("type", out var type) || type.GetInt32() != 6)
                {
                    return queued;
                }
            }
            var buffer = new byte[64 * 1024];
            var text = new StringBuilder();
            WebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Wait.Timeout);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new WebSocketException($"The server closed the connection: {result.CloseStatusDescription}");
                }
                text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            }
            while (!result.EndOfMessage || text[^1] != RecordSeparator);
            foreach (var record in text.ToString().Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                _received.Enqueue(JsonDocument.Parse(record).RootElement.Clone());
            }
        }
    }

    /// The completion of the given invocation, skipping other messages.
    public async Task<JsonElement> CompletionAsync(string invocationId)
    {
        while (true)
        {
            var message = await ReceiveAsync();
            if (message.GetProperty("type").GetInt32() == 3 && message.GetProperty("invocationId").GetString() == invocationId)
            {
                return message;
            }
        }
    }

    private Task SendAsync(string json) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(Wait.Timeout);

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            _socket.Abort();
        }
        _socket.Dispose();
        await Task.CompletedTask;
    }
}
