using Equip.Testing;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Equip.Tests.Support;

namespace Equip.Tests.Conformance;

/// A hub connection at the wire level: a WebSocket carrying exactly the bytes a test sends (no
/// pings of its own), in JSON or MessagePack framing, and every message the server sends.
public sealed class WireHub : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<WireMessage> _received = Channel.CreateUnbounded<WireMessage>();
    private readonly List<long> _pings = [];
    private readonly WireCodec _codec;
    private readonly List<byte> _pending = [];
    private readonly List<WireMessage> _held = [];
    private Task _reading = Task.CompletedTask;
    private int _invocation;

    private WireHub(WireFormat format) => _codec = WireCodec.For(format);

    /// When the server's pings arrived (Stopwatch timestamps).
    public IReadOnlyList<long> Pings
    {
        get
        {
            lock (_pings)
            {
                return [.. _pings];
            }
        }
    }

    /// The WebSocket closed (by the server or the network).
    public bool IsClosed => _reading.IsCompleted;

    /// Connects and completes the handshake; null when the server refused it (with its error).
    public static async Task<(WireHub? Hub, string? HandshakeError)> TryConnectAsync(Uri server, WireFormat format, string? protocolName = null, string key = TestKeys.Admin)
    {
        var hub = new WireHub(format);
        // A browser's WebSocket cannot send headers: the key goes as the access_token parameter.
        var address = new UriBuilder(new Uri(server, "/hubs/dataspace")) { Scheme = "ws", Query = "access_token=" + Uri.EscapeDataString(key) }.Uri;
        await hub._socket.ConnectAsync(address, CancellationToken.None).WaitAsync(Wait.Timeout);
        var handshake = protocolName is null ? hub._codec.Handshake() : System.Text.Encoding.UTF8.GetBytes($$"""{"protocol":"{{protocolName}}","version":1}""" + "\u001e");
        await hub._socket.SendAsync(handshake, WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(Wait.Timeout);
        var answer = await hub.ReadHandshakeAsync();
        if (answer["error"]?.GetValue<string>() is { } error)
        {
            await hub.DisposeAsync();
            return (null, error);
        }
        hub._reading = Task.Run(hub.ReadAsync);
        return (hub, null);
    }

    public static async Task<WireHub> ConnectAsync(Uri server, WireFormat format) =>
        (await TryConnectAsync(server, format)).Hub ?? throw new InvalidOperationException("The handshake was refused.");

    /// Sends an invocation; returns its id.
    public async Task<string> SendAsync(string target, params JsonNode?[] arguments)
    {
        var id = Interlocked.Increment(ref _invocation).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await SendRawAsync(_codec.Invocation(id, target, arguments));
        return id;
    }

    /// Sends an invocation without an id (a "send"): no completion comes back.
    public Task PostAsync(string target, params JsonNode?[] arguments) => SendRawAsync(_codec.Invocation(null, target, arguments));

    public Task SendPingAsync() => SendRawAsync(_codec.Ping());

    public Task SendRawAsync(byte[] bytes) =>
        _socket.SendAsync(bytes, _codec.IsText ? WebSocketMessageType.Text : WebSocketMessageType.Binary, true, CancellationToken.None).WaitAsync(Wait.Timeout);

    /// Invokes and waits for the completion.
    public async Task<WireMessage> CallAsync(string target, params JsonNode?[] arguments) => await CompletionAsync(await SendAsync(target, arguments));

    /// Invokes and returns the result; fails when the call did.
    public async Task<JsonNode?> ResultAsync(string target, params JsonNode?[] arguments)
    {
        var completion = await CallAsync(target, arguments);
        return completion.Error is null ? completion.Result : throw new InvalidOperationException($"{target} failed: {completion.Error}");
    }

    /// The next message that is not a ping.
    public async Task<WireMessage> ReceiveAsync(TimeSpan? timeout = null) =>
        await _received.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? Wait.Timeout);

    public async Task<WireMessage> CompletionAsync(string invocationId)
    {
        while (true)
        {
            var message = await ReceiveAsync();
            if (message.Type == 3 && message.InvocationId == invocationId)
            {
                return message;
            }
            _held.Add(message);
        }
    }

    /// Callbacks (Snapshot, Changes) received so far or next, in order, skipping completions.
    public async Task<WireMessage> CallbackAsync(TimeSpan? timeout = null)
    {
        if (_held.FirstOrDefault(m => m.Type == 1) is { } held)
        {
            _held.Remove(held);
            return held;
        }
        while (true)
        {
            var message = await ReceiveAsync(timeout);
            if (message.Type == 1)
            {
                return message;
            }
        }
    }

    /// The next callback to the target, received so far or next; other messages are kept, in
    /// order, for CallbackAsync and CompletionAsync.
    public async Task<WireMessage> CallbackAsync(string target)
    {
        if (_held.FirstOrDefault(m => m.Type == 1 && m.Target == target) is { } held)
        {
            _held.Remove(held);
            return held;
        }
        while (true)
        {
            var message = await ReceiveAsync();
            if (message.Type == 1 && message.Target == target)
            {
                return message;
            }
            _held.Add(message);
        }
    }

    /// Waits until the server closes: its Close message if it sent one, else null.
    public async Task<WireMessage?> UntilClosedAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            try
            {
                var message = await ReceiveAsync(timeout - deadline.Elapsed);
                if (message.Type == 7)
                {
                    return message;
                }
            }
            catch (ChannelClosedException)
            {
                return null;
            }
        }
        throw new TimeoutException("The server did not close the connection.");
    }

    private async Task<JsonObject> ReadHandshakeAsync()
    {
        var buffer = new byte[4096];
        var bytes = new List<byte>();
        while (!bytes.Contains(0x1e))
        {
            var result = await _socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Wait.Timeout);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new JsonObject { ["error"] = $"closed: {result.CloseStatusDescription}" };
            }
            bytes.AddRange(buffer.Take(result.Count));
        }
        var end = bytes.IndexOf(0x1e);
        var answer = JsonNode.Parse(System.Text.Encoding.UTF8.GetString([.. bytes.Take(end)]))!.AsObject();
        _pending.AddRange(bytes.Skip(end + 1)); // the first messages may share the handshake's frame
        return answer;
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            Deliver();
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                _pending.AddRange(buffer.Take(result.Count));
                Deliver();
            }
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            _received.Writer.TryComplete();
        }
    }

    private void Deliver()
    {
        foreach (var message in _codec.Read(_pending).ToList())
        {
            if (message.Type == 6)
            {
                lock (_pings)
                {
                    _pings.Add(Stopwatch.GetTimestamp());
                }
                continue;
            }
            _received.Writer.TryWrite(message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await _reading.WaitAsync(Wait.Timeout).ContinueWith(_ => { });
        _socket.Dispose();
    }
}
