using System.Text;
using Equip.Infrastructure.Peers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Equip.Mqtt;

/// After a restart, a Homie device whose retained `$state` says it was up, and that has not come
/// back within the grace period (Equip:Peers:DisconnectGrace, counted from the start), is marked
/// `lost` on its behalf: its will never fired, because the broker was down (docs/mqtt.md).
internal sealed partial class LostDevices(HomieDevices homie, IOptions<PeerOptions> peers, TimeProvider time, ILogger<LostDevices> logger)
{
    private static readonly HashSet<string> Down = ["lost", "disconnected", "sleeping"];
    private List<string> _watched = [];

    public void Watch(IEnumerable<MqttApplicationMessage> retained) =>
        _watched = [.. retained.Where(m => m.Topic.StartsWith(HomieDevices.Prefix, StringComparison.Ordinal) && m.Topic.EndsWith("/$state", StringComparison.Ordinal)
                && !Down.Contains(Encoding.UTF8.GetString(m.Payload)))
            .Select(m => m.Topic[..^"/$state".Length])
            .Where(root => root.Split('/') is [_, _] or [_, "5", _])];

    /// Once the grace period has passed, marks the watched devices that did not come back.
    public async Task MarkAfterGraceAsync(MqttServer server, CancellationToken stopping)
    {
        if (_watched.Count == 0)
        {
            return;
        }
        await Task.Delay(peers.Value.DisconnectGrace, time, stopping);
        foreach (var root in _watched.Where(r => !homie.Seen(r)))
        {
            MarkedLost(logger, root);
            await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(new MqttApplicationMessageBuilder()
                .WithTopic($"{root}/$state").WithPayload("lost").WithRetainFlag()
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()) { SenderClientId = MqttBroker.PeerId }, stopping);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Homie device {Device} did not come back after the restart within the grace period: its $state is set to lost on its behalf", EventName = "MqttDeviceLost")]
    private static partial void MarkedLost(ILogger logger, string device);
}
