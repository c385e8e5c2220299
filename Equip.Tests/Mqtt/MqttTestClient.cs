using System.Threading.Channels;
using Equip.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Equip.Tests.Mqtt;

/// A real MQTT client (MQTTnet) of the server's broker, keeping what it receives.
public sealed class MqttTestClient : IAsyncDisposable
{
    private readonly Channel<MqttApplicationMessage> _received = Channel.CreateUnbounded<MqttApplicationMessage>();

    private MqttTestClient(IMqttClient client)
    {
        Client = client;
        client.ApplicationMessageReceivedAsync += e =>
        {
            _received.Writer.TryWrite(e.ApplicationMessage);
            return Task.CompletedTask;
        };
    }

    public IMqttClient Client { get; }

    public static MqttClientOptionsBuilder Options(int port, string clientId, string? key = TestKeys.Admin, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId).WithProtocolVersion(version)
            .WithTimeout(TimeSpan.FromSeconds(10));
        return key is null ? options : options.WithCredentials("tester", key);
    }

    /// Connects; the result says whether the broker accepted it.
    public static async Task<(MqttTestClient Client, MqttClientConnectResult Result)> TryConnectAsync(MqttClientOptions options)
    {
        var client = new MqttTestClient(new MqttClientFactory().CreateMqttClient());
        return (client, await client.Client.ConnectAsync(options));
    }

    public static async Task<MqttTestClient> ConnectAsync(int port, string clientId, string key = TestKeys.Admin)
    {
        var (client, result) = await TryConnectAsync(Options(port, clientId, key).Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    public async Task SubscribeAsync(string filter) =>
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1,
            (await Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build())).Items.Single().ResultCode);

    public Task<MqttClientPublishResult> PublishAsync(string topic, string payload, bool retain = false) =>
        Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build());

    /// The next message received on the topic (others are skipped), as text.
    public async Task<(string Payload, bool Retained)> NextAsync(string topic, TimeSpan? within = null)
    {
        var message = await NextMessageAsync(topic, within);
        return (message.ConvertPayloadToString(), message.Retain);
    }

    /// The next message received on the topic (others are skipped), with its properties.
    public async Task<MqttApplicationMessage> NextMessageAsync(string topic, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var message = await _received.Reader.ReadAsync(timeout.Token);
            if (message.Topic == topic)
            {
                return message;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Client.IsConnected)
        {
            try
            {
                await Client.DisconnectAsync();
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
                // The broker is gone already (a test killed the server), and the client has not
                // noticed yet: there is nothing left to say goodbye to.
            }
        }
        Client.Dispose();
    }
}
