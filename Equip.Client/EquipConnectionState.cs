namespace Equip.Client;

/// <summary>Where an <see cref="EquipClient"/> stands with its server.</summary>
public enum EquipConnectionState
{
    /// <summary>Not connected; trying to connect (first time or again).</summary>
    Connecting,

    /// <summary>Registered, subscriptions caught up, own items re-asserted and queued changes sent.</summary>
    Connected,

    /// <summary>
    /// Stopped for good: another process registered with this peer id after this one, and the
    /// server refuses this incarnation (it must not end the newer one). Queued changes failed.
    /// </summary>
    Fenced,

    /// <summary>
    /// Stopped for good: the server refused the key (unknown or revoked, or not allowed to register
    /// this peer id). Queued changes failed with <see cref="EquipUnauthorizedException"/>.
    /// </summary>
    Unauthorized,

    /// <summary>Stopped for good.</summary>
    Disposed,
}

/// <summary>A change of <see cref="EquipConnectionState"/>.</summary>
/// <param name="State">The new state.</param>
/// <param name="SessionPresent">On Connected: whether the server still had this incarnation's session.</param>
/// <param name="Error">On Connecting: why the previous connection or attempt ended, if known.</param>
public sealed record EquipConnectionChange(EquipConnectionState State, bool SessionPresent, Exception? Error);
