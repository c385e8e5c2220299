namespace Equip.Domain.Peers;

public static class PeerRules
{
    public const int MaxIdLength = 256;
    public const int MaxNameLength = 256;

    /// The peer the server's MQTT broker registers as (its container's id): no client may.
    public const string MqttBrokerPeerId = "mqtt";

    /// How many replaced incarnations of a peer are refused for good (the latest ones).
    public const int MaxReplacedIncarnations = 16;

    public static void ValidateRegistration(string? peerId, string? incarnation, string? name)
    {
        Require(peerId, "peerId", MaxIdLength);
        Require(incarnation, "incarnation", MaxIdLength);
        if (name is { Length: > MaxNameLength } || (name?.Any(char.IsControl) ?? false))
        {
            throw new InvalidPeerException($"A peer name is at most {MaxNameLength} printable characters long.");
        }
    }

    /// Refuses the peer ids the server keeps for itself.
    public static void EnsureNotReserved(string? peerId)
    {
        if (peerId == MqttBrokerPeerId)
        {
            throw new InvalidPeerException($"Peer id '{MqttBrokerPeerId}' is the server's own (its MQTT broker); choose another.");
        }
    }

    private static void Require(string? value, string what, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidPeerException($"Registration needs a {what}.");
        }
        if (value.Length > maxLength)
        {
            throw new InvalidPeerException($"A {what} is at most {maxLength} characters long.");
        }
        if (value.Any(char.IsControl))
        {
            throw new InvalidPeerException($"A {what} may not hold control characters.");
        }
    }
}
