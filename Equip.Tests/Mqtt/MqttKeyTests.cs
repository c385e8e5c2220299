using Equip.Tests.Security;
using MQTTnet;
using MQTTnet.Formatter;

namespace Equip.Tests.Mqtt;

/// The broker takes the key as the MQTT password (docs/mqtt.md, Keys): none or a wrong one is
/// refused at CONNECT (MQTT 5 reason 0x87, MQTT 3.1.1 return code 5), a key revoked while
/// connected disconnects its clients, and a device key reaches only its containers' topics.
public sealed class MqttKeyTests : SecurityServer
{
    [Theory]
    [InlineData(MqttProtocolVersion.V500)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task NoKeyOrAWrongKeyIsRefusedAtConnect(MqttProtocolVersion version)
    {
        foreach (var key in new[] { null, "eqd_not-a-key-the-server-made-at-all" })
        {
            var (client, result) = await MqttTestClient.TryConnectAsync(MqttTestClient.Options(Server.MqttPort, "intruder", key, version).Build());
            await using var _ = client;
            Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result.ResultCode);
            Assert.False(client.Client.IsConnected);
        }
        Assert.Contains(Server.Logs.AtLeast(Microsoft.Extensions.Logging.LogLevel.Warning), e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("Refused MQTT client 'intruder'"));
    }

    [Fact]
    public async Task AKeyRevokedWhileConnectedDisconnectsItsClients()
    {
        var (id, key) = await MakeKeyAsync("plug");
        await using var plug = await MqttTestClient.ConnectAsync(Server.MqttPort, "plug-1", key);
        await using var admin = await MqttTestClient.ConnectAsync(Server.MqttPort, "console");
        var disconnected = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        plug.Client.DisconnectedAsync += e =>
        {
            disconnected.TrySetResult(e);
            return Task.CompletedTask;
        };

        await RevokeAsync(id);

        var why = await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(MqttClientDisconnectReason.NotAuthorized, why.Reason);
        Assert.True(admin.Client.IsConnected);
        var (again, result) = await MqttTestClient.TryConnectAsync(MqttTestClient.Options(Server.MqttPort, "plug-1", key).Build());
        await using var _ = again;
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result.ResultCode);
    }

    [Fact]
    public async Task ADeviceKeyReachesOnlyTheTopicsOfItsContainers()
    {
        var (_, key) = await MakeKeyAsync("plug", containerIds: ["plug-1"]);
        await using var plug = await MqttTestClient.ConnectAsync(Server.MqttPort, "plug-1", key);
        await using var watcher = await MqttTestClient.ConnectAsync(Server.MqttPort, "watcher");
        await watcher.SubscribeAsync("#");

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await plug.PublishAsync("stat/plug-2/POWER", "ON")).ReasonCode);
        var refused = await plug.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("#").Build());
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, refused.Items.Single().ResultCode);
        await plug.SubscribeAsync("cmnd/plug-1/+");
        Assert.True((await plug.PublishAsync("stat/plug-1/POWER", "ON")).IsSuccess);

        Assert.Equal(("ON", false), await watcher.NextAsync("stat/plug-1/POWER")); // and not the refused one before it
        await watcher.PublishAsync("cmnd/plug-1/POWER", "OFF");
        Assert.Equal(("OFF", false), await plug.NextAsync("cmnd/plug-1/POWER"));
        Assert.Contains(Server.Logs.AtLeast(Microsoft.Extensions.Logging.LogLevel.Warning), e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("Refused an MQTT publish of client 'plug-1'"));
    }
}
