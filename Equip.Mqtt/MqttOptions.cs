using System.ComponentModel.DataAnnotations;

namespace Equip.Mqtt;

/// The MQTT broker inside the server (docs/mqtt.md, docs/configuration.md).
public sealed class MqttOptions
{
    public const string Section = "Equip:Mqtt";

    /// Whether the broker runs at all (MQTT over TCP and over WebSockets).
    public bool Enabled { get; set; } = true;

    /// The IPv4 address the TCP listener binds: loopback by default, as the HTTP listener's
    /// default; 0.0.0.0 for every interface.
    [Required]
    public string Address { get; set; } = "127.0.0.1";

    /// The TCP port of MQTT (0: a free one, for tests).
    [Range(0, 65535)]
    public int Port { get; set; } = 1883;

    /// The path of MQTT over WebSockets on the HTTP listener (WebSocket subprotocol "mqtt").
    [Required]
    public string WebSocketPath { get; set; } = "/mqtt";

    /// Messages queued for one client before the oldest are dropped.
    [Range(1, 1_000_000)]
    public int MaxPendingMessagesPerClient { get; set; } = 1000;

    /// Messages one client may publish per second, with bursts up to MessageBurst; beyond them
    /// its messages wait (the client is slowed, never refused). Off with Equip:RateLimits:Enabled=false.
    [Range(1, 100_000_000)]
    public int MessagesPerSecond { get; set; } = 10_000;

    [Range(1, 100_000_000)]
    public int MessageBurst { get; set; } = 20_000;

    /// The largest payload a client may publish; a larger message is not delivered (MQTT 5:
    /// PUBACK/PUBREC reason 0x83) and a warning is logged. The hub's and REST's limit by default.
    [Range(1, 268_435_455)]
    public int MaxMessageBytes { get; set; } = 1_048_576;

    /// How many topics are mapped onto the dataspace as components of the broker's container;
    /// messages on further topics are still delivered to MQTT subscribers, but not mapped.
    [Range(0, 1_000_000)]
    public int MaxTopics { get; set; } = 10_000;
}
