using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Equip.Mqtt;

/// What the broker publishes on behalf of the dataspace (a value written into a topic, a Homie
/// `/set`, a Home Assistant command, a native container's requests), in the order it was written, from one loop: QoS 1, not
/// retained, from the broker's own client id (so the broker does not map it back).
internal sealed class BrokerOutbox
{
    private readonly Channel<MqttApplicationMessage> _messages = Channel.CreateUnbounded<MqttApplicationMessage>(new() { SingleReader = true });

    public void Publish(string topic, byte[] payload, bool retain = false) =>
        _messages.Writer.TryWrite(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build());

    public void Attach(MqttServer server) => _ = SendAsync(server);

    private async Task SendAsync(MqttServer server)
    {
        await foreach (var message in _messages.Reader.ReadAllAsync())
        {
            try
            {
                await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = MqttBroker.PeerId });
            }
            catch (InvalidOperationException)
            {
                // the broker stopped
            }
        }
    }
}
