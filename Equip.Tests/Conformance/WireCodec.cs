using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MessagePack;

namespace Equip.Tests.Conformance;

public enum WireFormat
{
    Json,
    MessagePack,
}

/// One message of the SignalR hub protocol as the conformance suite reads it, whatever the format:
/// payloads as JSON nodes (MessagePack maps become objects, its times the instant in ISO form).
public sealed record WireMessage(int Type, string? InvocationId, string? Target, JsonArray? Arguments, JsonNode? Result, bool HasResult, string? Error, bool AllowReconnect);

/// The hub protocol's framing and messages written by hand from docs/protocol.md, for JSON and
/// MessagePack, with no SignalR library involved.
public abstract class WireCodec
{
    public static WireCodec For(WireFormat format) => format == WireFormat.Json ? new JsonCodec() : new MessagePackCodec();

    public abstract string Name { get; }

    public abstract bool IsText { get; }

    public byte[] Handshake() => Encoding.UTF8.GetBytes($$"""{"protocol":"{{Name}}","version":1}""" + "\u001e");

    public abstract byte[] Invocation(string? invocationId, string target, IReadOnlyList<JsonNode?> arguments);

    public abstract byte[] Ping();

    /// Takes whole messages off the front of the buffer; what is left is an incomplete one.
    public abstract IEnumerable<WireMessage> Read(List<byte> buffer);

    private sealed class JsonCodec : WireCodec
    {
        public override string Name => "json";

        public override bool IsText => true;

        public override byte[] Invocation(string? invocationId, string target, IReadOnlyList<JsonNode?> arguments)
        {
            var message = new JsonObject { ["type"] = 1, ["target"] = target, ["arguments"] = new JsonArray([.. arguments.Select(a => a?.DeepClone())]) };
            if (invocationId is not null)
            {
                message["invocationId"] = invocationId;
            }
            return Encoding.UTF8.GetBytes(message.ToJsonString() + "\u001e");
        }

        public override byte[] Ping() => Encoding.UTF8.GetBytes("""{"type":6}""" + "\u001e");

        public override IEnumerable<WireMessage> Read(List<byte> buffer)
        {
            int end;
            while ((end = buffer.IndexOf(0x1e)) >= 0)
            {
                var record = JsonNode.Parse(Encoding.UTF8.GetString([.. buffer.Take(end)]))!.AsObject();
                buffer.RemoveRange(0, end + 1);
                yield return new WireMessage(
                    record["type"]?.GetValue<int>() ?? -1,
                    record["invocationId"]?.GetValue<string>(),
                    record["target"]?.GetValue<string>(),
                    record["arguments"]?.AsArray(),
                    record["result"]?.DeepClone(),
                    record.ContainsKey("result"),
                    record["error"]?.GetValue<string>(),
                    record["allowReconnect"]?.GetValue<bool>() ?? false);
            }
        }
    }

    private sealed class MessagePackCodec : WireCodec
    {
        public override string Name => "messagepack";

        public override bool IsText => false;

        public override byte[] Invocation(string? invocationId, string target, IReadOnlyList<JsonNode?> arguments) => Framed((ref MessagePackWriter writer) =>
        {
            writer.WriteArrayHeader(6);
            writer.Write(1);
            writer.WriteMapHeader(0);
            if (invocationId is null)
            {
                writer.WriteNil();
            }
            else
            {
                writer.Write(invocationId);
            }
            writer.Write(target);
            writer.WriteArrayHeader(arguments.Count);
            foreach (var argument in arguments)
            {
                MessagePackNodes.Write(ref writer, argument);
            }
            writer.WriteArrayHeader(0);
        });

        public override byte[] Ping() => Framed((ref MessagePackWriter writer) =>
        {
            writer.WriteArrayHeader(1);
            writer.Write(6);
        });

        public override IEnumerable<WireMessage> Read(List<byte> buffer)
        {
            while (TryLength(buffer, out var length, out var prefix) && buffer.Count >= prefix + length)
            {
                var body = buffer.Skip(prefix).Take(length).ToArray();
                buffer.RemoveRange(0, prefix + length);
                yield return Message(body);
            }
        }

        private static WireMessage Message(byte[] body)
        {
            var reader = new MessagePackReader(body);
            var count = reader.ReadArrayHeader();
            var type = reader.ReadInt32();
            switch (type)
            {
                case 1:
                    reader.Skip(); // headers
                    var id = reader.TryReadNil() ? null : reader.ReadString();
                    var target = reader.ReadString();
                    var arguments = MessagePackNodes.Read(ref reader)!.AsArray();
                    return new WireMessage(1, id, target, arguments, null, false, null, false);
                case 3:
                    reader.Skip();
                    var invocation = reader.ReadString();
                    var kind = reader.ReadInt32();
                    return kind switch
                    {
                        1 => new WireMessage(3, invocation, null, null, null, false, reader.ReadString(), false),
                        2 => new WireMessage(3, invocation, null, null, null, false, null, false),
                        _ => new WireMessage(3, invocation, null, null, MessagePackNodes.Read(ref reader), true, null, false),
                    };
                case 7:
                    var error = reader.TryReadNil() ? null : reader.ReadString();
                    var allow = count > 2 && reader.ReadBoolean();
                    return new WireMessage(7, null, null, null, null, false, error, allow);
                default:
                    return new WireMessage(type, null, null, null, null, false, null, false);
            }
        }

        private static bool TryLength(List<byte> buffer, out int length, out int prefix)
        {
            length = 0;
            for (prefix = 0; prefix < Math.Min(5, buffer.Count); prefix++)
            {
                length |= (buffer[prefix] & 0x7f) << (7 * prefix);
                if ((buffer[prefix] & 0x80) == 0)
                {
                    prefix++;
                    return true;
                }
            }
            return false;
        }

        private delegate void Body(ref MessagePackWriter writer);

        private static byte[] Framed(Body write)
        {
            var body = new ArrayBufferWriter<byte>();
            var writer = new MessagePackWriter(body);
            write(ref writer);
            writer.Flush();
            var prefix = new List<byte>();
            var length = body.WrittenCount;
            do
            {
                var group = (byte)(length & 0x7f);
                length >>= 7;
                prefix.Add(length > 0 ? (byte)(group | 0x80) : group);
            }
            while (length > 0);
            return [.. prefix, .. body.WrittenSpan];
        }
    }
}
