using System.Buffers;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace Equip.Bench.Compare;

/// An MQTT client of the broker under comparison: publishes numbers as text on a topic, or
/// receives them from one.
internal static class MqttPeer
{
    /// Connects, with the key as the password when the broker is Equip's.
    public static async Task<IMqttClient> ConnectAsync(int port, string clientId, TimeSpan? keepAlive = null, string? key = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithKeepAlivePeriod(keepAlive ?? TimeSpan.FromSeconds(15))
            .WithCleanSession();
        var result = await client.ConnectAsync((key is null ? options : options.WithCredentials("bench", key)).Build());
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"The broker refused {clientId}: {result.ResultCode} {result.ReasonString}");
        }
        return client;
    }

    /// Subscribes; each received payload is handed over as the number it carries.
    public static async Task<IMqttClient> SubscriberAsync(int port, string clientId, string topic, MqttQualityOfServiceLevel qos, Action<long> received, string? key = null)
    {
        var client = await ConnectAsync(port, clientId, key: key);
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
