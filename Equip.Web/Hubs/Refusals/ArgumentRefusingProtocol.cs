using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Equip.Protocol;
using Equip.Web.ErrorHandling;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Equip.Web.Hubs.Refusals;

/// An invocation whose arguments do not bind to its method's parameters (a string where an id
/// belongs, an argument too many, a method that does not exist) never reaches the hub's filters:
/// SignalR answers it with a bare "Failed to invoke" and logs nothing useful. This protocol
/// wrapper turns each such binding failure into a hub error with the code invalid, saying what
/// did not bind, and logs it as the client's mistake (a warning), as HubErrorFilter does for
/// the refusals of the calls that did bind; and answers so a JSON invocation the framework could
/// not read at all but that is one (see Rescued), where the framework would close the connection.
internal sealed class ArgumentRefusingProtocol(IHubProtocol inner, ILogger logger) : IHubProtocol
{
    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        var before = input;
        try
        {
            if (!inner.TryParseMessage(ref input, binder, out message))
            {
                return false;
            }
        }
        catch (InvalidDataException unreadable) when (TransferFormat == TransferFormat.Text && Rescued(before, unreadable) is { } rescued)
        {
            message = rescued;
            return true;
        }
        if (message is InvocationBindingFailureMessage failure)
        {
            var why = Describe(failure.BindingFailure.SourceException);
            message = UnreadableValues.Applies(failure.InvocationId, failure.Target)
                ? UnreadableValues.Refused(before.Slice(0, before.Length - input.Length), TransferFormat == TransferFormat.Text, why)
                : Refused(failure.InvocationId, failure.Target, why);
        }
        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

    private InvocationBindingFailureMessage Refused(string? invocationId, string target, string why)
    {
        var reason = $"The arguments of '{target}' do not fit its parameters: {why}";
        HubErrorFilterLog.Refused(logger, Printable.Of(target), HubErrors.Invalid, Printable.Of(reason));
        return new InvocationBindingFailureMessage(invocationId, target, ExceptionDispatchInfo.Capture(new HubException($"{HubErrors.Invalid}: {reason}")));
    }

    /// A JSON invocation the framework could not read, as a refusal when it is an invocation all
    /// the same: a JSON object whose type is 1 with an invocationId and a target. The framework's
    /// reader stops at 64 levels of nesting, so arguments nested deeper (or arguments that are not
    /// an array) would otherwise close the connection. Anything else stays unreadable.
    private HubMessage? Rescued(ReadOnlySequence<byte> input, InvalidDataException unreadable)
    {
        if (input.PositionOf((byte)0x1e) is not { } end)
        {
            return null;
        }
        var reader = new Utf8JsonReader(input.Slice(0, end), new JsonReaderOptions { MaxDepth = int.MaxValue });
        int? type = null;
        string? invocationId = null;
        string? target = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "type" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value):
                        type = value;
                        break;
                    case "invocationId" when reader.TokenType == JsonTokenType.String:
                        invocationId = reader.GetString();
                        break;
                    case "target" when reader.TokenType == JsonTokenType.String:
                        target = reader.GetString();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (Exception broken) when (broken is JsonException or InvalidOperationException)
        {
            return null;
        }
        if (type != HubProtocolConstants.InvocationMessageType || target is null)
        {
            return null;
        }
        if (UnreadableValues.Applies(invocationId, target))
        {
            return UnreadableValues.Refused(input.Slice(0, end), text: true, Describe(unreadable));
        }
        return !string.IsNullOrEmpty(invocationId) ? Refused(invocationId, target, Describe(unreadable)) : null;
    }

    /// The framework's words and, where they say only that binding failed, the reason beneath.
    private static string Describe(Exception error)
    {
        var words = error.Message;
        if (error.InnerException is { } inner)
        {
            words = $"{words} {inner.Message}";
        }
        return words.Length <= 500 ? words : words[..500] + "…";
    }
}
