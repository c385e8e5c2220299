using System.Collections.Concurrent;
using System.Text;
using Equip.Infrastructure.Peers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Equip.Mqtt;

/// After a restart, a device that was up and has not come back within the grace period
/// (Equip:Peers:DisconnectGrace, counted from the start) is marked down on its behalf, since its
/// will never fired (the broker was down): a Homie device whose retained `$state` said it was up
/// gets `$state` = `lost`; a Home Assistant entity whose retained availability said available, and
/// on whose availability topic nothing was published since the start, gets its not-available
/// payload (docs/mqtt.md, Retained messages and restarts).
internal sealed partial class LostDevices(HomieDevices homie, IOptions<PeerOptions> peers, TimeProvider time, ILogger<LostDevices> logger)
{
    private static readonly HashSet<string> Down = ["lost", "disconnected", "sleeping"];
    private List<string> _homie = [];
    private readonly ConcurrentDictionary<string, string> _availability = new(); // topic → its not-available payload, until published on

    public void Watch(IReadOnlyCollection<MqttApplicationMessage> retained)
    {
        _homie = [.. retained.Where(m => m.Topic.StartsWith(HomieDevices.Prefix, StringComparison.Ordinal) && m.Topic.EndsWith("/$state", StringComparison.Ordinal)
                && !Down.Contains(Encoding.UTF8.GetString(m.Payload)))
            .Select(m => m.Topic[..^"/$state".Length])
            .Where(root => root.Split('/') is [_, _] or [_, "5", _])];
        var retainedPayloads = retained.ToDictionary(m => m.Topic, m => Encoding.UTF8.GetString(m.Payload));
        foreach (var message in retained.Where(m => HaEntities.IsConfig(m.Topic)))
        {
            foreach (var config in HaEntities.ConfigsOf(message.Topic, message.Payload))
            {
                if (config.AvailabilityTopic is { } topic && retainedPayloads.GetValueOrDefault(topic) == config.PayloadAvailable)
                {
                    _availability[topic] = config.PayloadNotAvailable;
                }
            }
        }
    }

    /// A client published on a topic: an availability topic published on is its device's again.
    public void Published(string topic)
    {
        if (!_availability.IsEmpty)
        {
            _availability.TryRemove(topic, out _);
        }
    }

    /// Once the grace period has passed, marks the watched devices that did not come back.
    public async Task MarkAfterGraceAsync(MqttServer server, CancellationToken stopping)
    {
        if (_homie.Count == 0 && _availability.IsEmpty)
        {
            return;
        }
        await Task.Delay(peers.Value.DisconnectGrace, time, stopping);
        foreach (var root in _homie.Where(r => !homie.Seen(r)))
        {
            MarkedLost(logger, root, "$state", "lost");
            await InjectAsync(server, $"{root}/$state", "lost", stopping);
        }
        foreach (var (topic, notAvailable) in _availability)
        {
            if (_availability.TryRemove(topic, out _))
            {
                MarkedLost(logger, topic, "availability", notAvailable);
                await InjectAsync(server, topic, notAvailable, stopping);
            }
        }
    }

    private static Task InjectAsync(MqttServer server, string topic, string payload, CancellationToken stopping) =>
        server.InjectApplicationMessage(new InjectedMqttApplicationMessage(new MqttApplicationMessageBuilder()
            .WithTopic(topic).WithPayload(payload).WithRetainFlag()
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()) { SenderClientId = MqttBroker.PeerId }, stopping);

    [LoggerMessage(1, LogLevel.Information, "MQTT device {Device} did not come back after the restart within the grace period: its {What} is set to {Payload} on its behalf", EventName = "MqttDeviceLost")]
    private static partial void MarkedLost(ILogger logger, string device, string what, string payload);
}
