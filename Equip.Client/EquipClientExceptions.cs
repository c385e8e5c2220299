using Microsoft.AspNetCore.SignalR;

namespace Equip.Client;

/// <summary>A write was refused because the queue of changes waiting for the server is full.</summary>
public sealed class EquipQueueFullException(int capacity)
    : InvalidOperationException($"{capacity} changes are already waiting for the server (EquipClientOptions.MaxQueuedChanges); this one was not queued.");

/// <summary>The server refused a request; <see cref="Code"/> is the protocol's error code, such as "not-found".</summary>
public sealed class EquipRefusedException(string code, string message) : Exception(message)
{
    /// <summary>The protocol's error code (docs/protocol.md), such as "not-found" or "revision-mismatch".</summary>
    public string Code { get; } = code;
}

/// <summary>The server refused the client's key: unknown, revoked, or not allowed to register this peer id.</summary>
public sealed class EquipUnauthorizedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Whether an error ends the client for want of a valid key (a new key, and a new client, are needed).</summary>
internal static class KeyRefusal
{
    public static EquipUnauthorizedException? Of(Exception error) => error switch
    {
        EquipUnauthorizedException refused => refused,
        HttpRequestException { StatusCode: System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden } http =>
            new EquipUnauthorizedException($"The server refused the key ({(int)http.StatusCode}); give EquipClientOptions.Key a valid key.", http),
        HubException closed when Protocol.HubErrors.CodeOf(closed.Message) == Protocol.HubErrors.KeyRevoked =>
            new EquipUnauthorizedException(closed.Message, closed),
        _ => null,
    };
}
