using System.Buffers;
using System.Text;
using System.Text.Json;
using Equip.Domain.Dataspace;

namespace Equip.Mqtt;

/// How an MQTT payload becomes a property value and back (docs/mqtt.md, Payloads): a payload that
/// is a JSON document (a number, true, false, null, an object, an array, a quoted string) is that
/// value; any other UTF-8 text is a string; an empty payload is null; bytes that are not UTF-8 are
/// {"base64": "..."}. A value becomes a payload the other way: a string as its text, anything
/// else as its JSON.
public static class TopicPayloads
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static JsonElement ToValue(ReadOnlySequence<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return JsonValues.Null;
        }
        var bytes = payload.ToArray();
        try
        {
            var reader = new Utf8JsonReader(bytes);
            var value = JsonElement.ParseValue(ref reader);
            return bytes.AsSpan((int)reader.BytesConsumed).Trim(" \t\r\n"u8).IsEmpty ? value : Text(bytes);
        }
        catch (JsonException)
        {
            return Text(bytes);
        }
    }

    public static byte[] ToPayload(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Encoding.UTF8.GetBytes(value.GetString()!),
        JsonValueKind.Null or JsonValueKind.Undefined => [],
        _ => JsonSerializer.SerializeToUtf8Bytes(value),
    };

    private static JsonElement Text(byte[] bytes) =>
        TryText(bytes, out var text)
            ? JsonSerializer.SerializeToElement(text)
            : JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["base64"] = Convert.ToBase64String(bytes) });

    /// The payload as text, when it is UTF-8.
    public static bool TryText(byte[] bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }
}
