using System.Buffers;
using System.Text.Json;
using Equip.Protocol;
using MessagePack;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Equip.Web.Hubs.Refusals;

/// A SetValues sent without an invocation id (as it is meant to be) that cannot be read: there is
/// no completion to carry an error, and a call that vanished would leave its sender's later
/// acknowledgements unmatched. So it becomes a SetValues of no values that says why; the hub
/// refuses it as a whole, in order, under its sequence number (read from the raw message where it
/// can be; 0 when even that cannot be read).
internal static class UnreadableValues
{
    public static bool Applies(string? invocationId, string? target) => invocationId is null && target == HubNames.SetValues;

    public static InvocationMessage Refused(ReadOnlySequence<byte> raw, bool text, string why) =>
        new(HubNames.SetValues, [new SetValuesRequest { Sequence = text ? JsonSequenceOf(raw) : MessagePackSequenceOf(raw), Unreadable = why }]);

    /// arguments[0].sequence of a JSON invocation, read however deep the rest nests.
    private static long JsonSequenceOf(ReadOnlySequence<byte> raw)
    {
        var reader = new Utf8JsonReader(raw, new JsonReaderOptions { MaxDepth = int.MaxValue });
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("arguments"))
                {
                    reader.Read(); // [
                    reader.Read(); // { of the request
                    while (reader.Read() && reader.CurrentDepth > 2)
                    {
                        if (reader.CurrentDepth == 3 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("sequence"))
                        {
                            reader.Read();
                            return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var sequence) ? sequence : 0;
                        }
                        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                        {
                            reader.Skip();
                        }
                    }
                    return 0;
                }
            }
        }
        catch (JsonException)
        {
        }
        return 0;
    }

    /// arguments[0]["sequence"] of a MessagePack invocation (its length prefix first).
    private static long MessagePackSequenceOf(ReadOnlySequence<byte> raw)
    {
        try
        {
            var prefix = 0;
            while (prefix < 5 && raw.Slice(prefix, 1).FirstSpan[0] >= 0x80)
            {
                prefix++;
            }
            var reader = new MessagePackReader(raw.Slice(prefix + 1));
            reader.ReadArrayHeader();
            reader.Skip(); // type
            reader.Skip(); // headers
            reader.Skip(); // invocation id
            reader.Skip(); // target
            if (reader.ReadArrayHeader() < 1 || reader.NextMessagePackType != MessagePackType.Map)
            {
                return 0;
            }
            var members = reader.ReadMapHeader();
            for (var i = 0; i < members; i++)
            {
                if (reader.NextMessagePackType == MessagePackType.String && reader.ReadString() == "sequence")
                {
                    return reader.NextMessagePackType == MessagePackType.Integer ? reader.ReadInt64() : 0;
                }
                reader.Skip();
            }
        }
        catch (Exception unreadable) when (unreadable is MessagePackSerializationException or EndOfStreamException or ArgumentOutOfRangeException)
        {
        }
        return 0;
    }
}
