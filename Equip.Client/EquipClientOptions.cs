namespace Equip.Client;

/// <summary>How an <see cref="EquipClient"/> connects and behaves while disconnected.</summary>
public sealed class EquipClientOptions
{
    /// <summary>The server's base address, such as http://192.168.1.10:5000/.</summary>
    public required Uri Server { get; init; }

    /// <summary>
    /// Further addresses of the same installation (the other nodes of a cluster, docs/scaling.md),
    /// tried in turn after <see cref="Server"/>: after a connection attempt that fails, or a
    /// connection that is lost, the next attempt goes to the next address, round the list.
    /// </summary>
    public IReadOnlyList<Uri> AlternateServers { get; init; } = [];

    /// <summary>
    /// The key the server gave this device (a device key, or the admin key), sent as the
    /// connection's access token. Without one the server refuses the connection.
    /// </summary>
    public string? Key { get; init; }

    /// <summary>A display name for this peer.</summary>
    public string Name { get; init; } = Environment.MachineName;

    /// <summary>The stable peer id. When absent it is read from <see cref="PeerIdFile"/>, or made and written there.</summary>
    public string? PeerId { get; init; }

    /// <summary>Where the peer id is kept across restarts when <see cref="PeerId"/> is not given.</summary>
    public string PeerIdFile { get; init; } = "equip-peer-id";

    /// <summary>Speak MessagePack (the default: smaller frames and cheaper to read on both sides) or, when false, JSON.</summary>
    public bool UseMessagePack { get; init; } = true;

    /// <summary>The first reconnect delay; each failed attempt doubles it, up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan InitialReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between reconnect attempts (a random part of it is taken, to spread a storm).</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest wait between reconnect attempts while the server is restarting: nothing listens
    /// at its address (the connection is refused) or it answers 503 because it is stopping. Such an
    /// attempt costs the server nothing, and a short wait brings the device back within about this
    /// long of the server's return. At most <see cref="MaxReconnectDelay"/>.
    /// </summary>
    public TimeSpan RestartReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many of its own changes the client keeps while disconnected; beyond it writes fail with <see cref="EquipQueueFullException"/>.</summary>
    public int MaxQueuedChanges { get; init; } = 10_000;

    /// <summary>
    /// How many unreliable value updates may be on their way to the server at once, not yet
    /// answered (pipelined); any other write waits for the answers before it. 1 sends one at a time.
    /// </summary>
    public int MaxValuesInFlight { get; init; } = 32;

    /// <summary>
    /// How many values of one item (unreliable updates, property values) wait together to be sent;
    /// a later one takes the place of the newest of them, and its caller is answered with it. A
    /// device that keeps up sends every value; one that produces faster than it can send, or is
    /// disconnected, sends at most this many of an item, the last of them the latest; once half of
    /// <see cref="MaxQueuedChanges"/> wait, only the latest. 1 keeps only the latest.
    /// </summary>
    public int ValuesQueuedPerItem { get; init; } = 4;

    /// <summary>How often the client pings the server.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>A server silent for this long is taken as gone, and the client reconnects.</summary>
    public TimeSpan ServerTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
