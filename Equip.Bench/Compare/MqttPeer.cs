using System.Buffers;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace Equip.Bench.Compare;

/// An MQTT client of the broker under comparison: publishes numbers as text on a topic, or
/// receives them from one.
internal static class MqttPeer
{
    public static async Task<IMqttClient> ConnectAsync(int port, string clientId, TimeSpan? keepAlive = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithKeepAlivePeriod(keepAlive ?? TimeSpan.FromSeconds(15))
            .WithCleanSession()
            .Build());
        return client;
    }

    /// Subscribes; each received payload is handed over as the number it carries.
    public static async Task<IMqttClient> SubscriberAsync(int port, string clientId, string topic, MqttQualityOfServiceLevel qos, Action<long> received)
    {
        var client = await ConnectAsync(port, clientId);
        client.ApplicationMessageReceivedAsync += e =>
        {
            received(Sequence(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, qos).Build());
        return client;
    }

    public static Task PublishAsync(IMqttClient client, string topic, string payload, MqttQualityOfServiceLevel qos) =>
        client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(Encoding.ASCII.GetBytes(payload))
            .WithQualityOfServiceLevel(qos)
            .Build());

    private static long Sequence(ReadOnlySequence<byte> payload)
    {
        var text = Encoding.ASCII.GetString(payload);
        return long.Parse(text.AsSpan(0, text.IndexOf('.')));
    }
}
