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
