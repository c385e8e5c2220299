using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Equip.Protocol;
using Equip.Tests.Conformance;

namespace Equip.Tests.Security.Fuzz;

/// The fuzz's hub connections, at the wire level: a peer registered over JSON, one over
/// MessagePack, and a fresh connection that has not registered (renewed whenever a random
/// Register succeeds on it). Every frame they send is well-formed: a hub invocation whose
/// arguments are valid JSON (or MessagePack), whatever those arguments are.
internal sealed class FuzzPeers : IAsyncDisposable
{
    private static readonly WireCodec MessagePackCodec = WireCodec.For(WireFormat.MessagePack);
    private readonly Uri _server;
    private readonly WireHub _json;
    private readonly WireHub _pack;
    private WireHub _fresh;

    private FuzzPeers(Uri server, WireHub json, WireHub pack, WireHub fresh) => (_server, _json, _pack, _fresh) = (server, json, pack, fresh);

    public static async Task<FuzzPeers> ConnectAsync(Uri server)
    {
        var json = await RegisteredAsync(server, WireFormat.Json, "fuzz-json");
        var pack = await RegisteredAsync(server, WireFormat.MessagePack, "fuzz-pack");
        return new FuzzPeers(server, json, pack, await WireHub.ConnectAsync(server, WireFormat.Json));
    }

    /// Sends the call and waits for its completion; null when none came (the connection closed,
    /// or the server did not answer in time).
    public async Task<(WireHub Hub, WireMessage? Completion)> CallAsync(HubInput input, int index)
    {
        var id = $"fuzz-{index}";
        if (index % 100 == 0)
        {
            // No frame for Equip:Peers:ClientTimeout (6 s) closes a connection: keep the three alive.
            await Task.WhenAll(_json.SendPingAsync(), _pack.SendPingAsync(), _fresh.SendPingAsync());
        }
        // SignalR's MessagePack protocol takes an empty target for a malformed message (and closes
        // the connection); the JSON protocol answers it as an unknown method. It goes as JSON.
        var packed = input.MessagePack && !input.Fresh && input.Target.Length > 0 ? MessagePackFrame(id, input) : null;
        var hub = input.Fresh ? _fresh : packed is not null ? _pack : _json;
        await hub.SendRawAsync(packed ?? JsonFrame(id, input));
        try
        {
            return (hub, await hub.CompletionAsync(id));
        }
        catch (Exception closed) when (closed is ChannelClosedException or TimeoutException)
        {
            return (hub, null);
        }
    }

    /// A fresh connection on which Register succeeded is a registered one now: the next fresh
    /// call gets a new connection.
    public async Task RenewFreshAfterAsync(HubInput input, WireMessage completion)
    {
        if (input.Fresh && input.Target == HubNames.Register && completion.Error is null)
        {
            await _fresh.DisposeAsync();
            _fresh = await WireHub.ConnectAsync(_server, WireFormat.Json);
        }
    }

    /// The registered connections still answer.
    public async Task AssertOpenAsync()
    {
        foreach (var hub in new[] { _json, _pack, _fresh })
        {
            Assert.False(hub.IsClosed);
            var completion = await hub.CallAsync(HubNames.SyncComplete);
            Assert.True(completion.Error is null || HubErrors.CodeOf(completion.Error) == HubErrors.NotRegistered, completion.Error);
        }
    }

    private static async Task<WireHub> RegisteredAsync(Uri server, WireFormat format, string peerId)
    {
        var hub = await WireHub.ConnectAsync(server, format);
        await hub.ResultAsync(HubNames.Register, new JsonObject { ["peerId"] = peerId, ["incarnation"] = "inc-1", ["name"] = peerId });
        return hub;
    }

    private static byte[] JsonFrame(string id, HubInput input) => Encoding.UTF8.GetBytes(
        $"{{\"type\":1,\"invocationId\":\"{id}\",\"target\":{FuzzJson.Quote(input.Target)},\"arguments\":[{string.Join(",", input.Arguments)}]}}\u001e");

    /// The arguments as MessagePack, the strings "NaN" and "Infinity" as those floats (which JSON
    /// cannot carry); null when they do not convert (too deep for the JSON reader, an unpaired
    /// surrogate): they go as JSON instead.
    private static byte[]? MessagePackFrame(string id, HubInput input)
    {
        try
        {
            return MessagePackCodec.Invocation(id, input.Target, [.. input.Arguments.Select(a => Floats(JsonNode.Parse(a)))]);
        }
        catch (Exception unconvertible) when (unconvertible is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    private static JsonNode? Floats(JsonNode? node)
    {
        switch (node)
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is ("NaN" or "Infinity") and var special:
                return JsonValue.Create(special == "NaN" ? double.NaN : double.PositiveInfinity);
            case JsonObject map:
                foreach (var key in map.Select(p => p.Key).ToList())
                {
                    map[key] = Floats(map[key]?.DeepClone());
                }
                return map;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    array[i] = Floats(array[i]?.DeepClone());
                }
                return array;
            default:
                return node;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync();
        await _pack.DisposeAsync();
        await _fresh.DisposeAsync();
    }
}
