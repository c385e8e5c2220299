using System.Text;
using Equip.Tests.Security;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Equip.Tests.Mqtt;

/// The broker behaves as a standard one towards its clients, as docs/mqtt.md (Listening) says:
/// QoS 2, persistent sessions, overlapping subscriptions, and the MQTT 5 features MQTTnet carries;
/// and it refuses what it lacks (shared subscriptions) with the reason code the standard gives.
public sealed class MqttStandardTests : SecurityServer
{
    [Fact]
    public async Task QoS2IsDeliveredOnceAndMqtt5PropertiesArePassedThrough()
    {
        await using var responder = await MqttTestClient.ConnectAsync(Server.MqttPort, "responder");
        await using var asker = await MqttTestClient.ConnectAsync(Server.MqttPort, "asker");
        await responder.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("svc/time/request").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.ExactlyOnce)).Build());
        await asker.SubscribeAsync("svc/time/reply/asker");

        var published = await asker.Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("svc/time/request").WithPayload("now?")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.ExactlyOnce).WithResponseTopic("svc/time/reply/asker")
            .WithCorrelationData([1, 2, 3]).WithUserProperty("site", Encoding.UTF8.GetBytes("hall").AsMemory()).WithContentType("text/plain").WithMessageExpiryInterval(60).Build());
        Assert.True(published.IsSuccess);
        var request = await responder.NextMessageAsync("svc/time/request");
        Assert.Equal(MqttQualityOfServiceLevel.ExactlyOnce, request.QualityOfServiceLevel);
        Assert.Equal("svc/time/reply/asker", request.ResponseTopic);
        Assert.Equal([1, 2, 3], request.CorrelationData);
        Assert.Equal("text/plain", request.ContentType);
        Assert.Contains(request.UserProperties, p => p.Name == "site" && p.ReadValueAsString() == "hall");
        Assert.InRange(request.MessageExpiryInterval, 1u, 60u);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => responder.NextMessageAsync("svc/time/request", TimeSpan.FromMilliseconds(500))); // once

        await responder.Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(request.ResponseTopic).WithPayload("12:00")
            .WithCorrelationData(request.CorrelationData).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var reply = await asker.NextMessageAsync("svc/time/reply/asker");
        Assert.Equal("12:00", reply.ConvertPayloadToString());
        Assert.Equal([1, 2, 3], reply.CorrelationData);
    }

    [Fact]
    public async Task OverlappingSubscriptionsCarryTheirIdentifiersAndNoLocalAndRetainOptionsHold()
    {
        await using var panel = await MqttTestClient.ConnectAsync(Server.MqttPort, "panel");
        await using var sensor = await MqttTestClient.ConnectAsync(Server.MqttPort, "sensor");
        await sensor.PublishAsync("room/1/temp", "20", retain: true);
        await panel.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithSubscriptionIdentifier(7)
            .WithTopicFilter(f => f.WithTopic("room/#").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithNoLocal().WithRetainAsPublished()).Build());
        Assert.True((await panel.NextMessageAsync("room/1/temp")).Retain); // the retained message at subscribing
        await panel.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithSubscriptionIdentifier(9)
            .WithTopicFilter(f => f.WithTopic("room/+/temp").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe)).Build());

        await sensor.PublishAsync("room/1/temp", "21", retain: true);
        var identifiers = new List<uint>();
        var live = await panel.NextMessageAsync("room/1/temp");
        identifiers.AddRange(live.SubscriptionIdentifiers ?? []);
        Assert.Equal("21", live.ConvertPayloadToString());
        while (identifiers.Count < 2 && await TryNextAsync(panel, "room/1/temp") is { } more)
        {
            identifiers.AddRange(more.SubscriptionIdentifiers ?? []); // one message per subscription, or one with both
        }
        Assert.Equal([7u, 9u], identifiers.Order());

        await panel.PublishAsync("room/2/temp", "5"); // no-local on room/#, but room/+/temp matches too
        Assert.Equal([9u], (await panel.NextMessageAsync("room/2/temp")).SubscriptionIdentifiers);
        await panel.PublishAsync("room/2/humidity", "40"); // matched by room/# alone: not sent back
        Assert.Null(await TryNextAsync(panel, "room/2/humidity"));
    }

    [Fact]
    public async Task TopicAliasesFromClientsAreResolved()
    {
        await using var reader = await MqttTestClient.ConnectAsync(Server.MqttPort, "reader");
        await reader.SubscribeAsync("meter/energy");
        var options = MqttTestClient.Options(Server.MqttPort, "meter").WithTopicAliasMaximum(10).Build();
        var (meter, _) = await MqttTestClient.TryConnectAsync(options);
        await using var _ = meter;
        await meter.Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("meter/energy").WithTopicAlias(1).WithPayload("1.5").Build());
        await meter.Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopicAlias(1).WithPayload("1.6").Build());
        Assert.Equal("1.5", (await reader.NextAsync("meter/energy")).Payload);
        Assert.Equal("1.6", (await reader.NextAsync("meter/energy")).Payload);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task APersistentSessionKeepsItsSubscriptionsAndQoS1MessagesWhileTheClientIsAway(MqttProtocolVersion version)
    {
        var options = MqttTestClient.Options(Server.MqttPort, "sleepy", version: version).WithCleanSession(false).WithSessionExpiryInterval(300).Build();
        var (sleepy, first) = await MqttTestClient.TryConnectAsync(options);
        Assert.False(first.IsSessionPresent);
        await sleepy.SubscribeAsync("alarm/#");
        await sleepy.Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(300).Build());
        sleepy.Client.Dispose();

        await using var siren = await MqttTestClient.ConnectAsync(Server.MqttPort, "siren");
        await siren.PublishAsync("alarm/hall", "smoke");
        var (back, again) = await MqttTestClient.TryConnectAsync(options);
        await using var _ = back;
        Assert.True(again.IsSessionPresent);
        Assert.Equal("smoke", (await back.NextAsync("alarm/hall")).Payload);
    }

    [Fact]
    public async Task SharedSubscriptionsAreRefusedWithTheirReasonCode()
    {
        await using var worker = await MqttTestClient.ConnectAsync(Server.MqttPort, "worker");
        var result = await worker.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("$share/workers/jobs/#").Build());
        Assert.Equal(MqttClientSubscribeResultCode.SharedSubscriptionsNotSupported, result.Items.Single().ResultCode);
        Assert.True(worker.Client.IsConnected);
    }

    [Fact]
    public async Task APayloadOverTheLimitIsNotDeliveredAndTheClientIsToldWhy()
    {
        await using var camera = await MqttTestClient.ConnectAsync(Server.MqttPort, "camera");
        await using var viewer = await MqttTestClient.ConnectAsync(Server.MqttPort, "viewer");
        await viewer.SubscribeAsync("camera/frame");
        var tooLarge = await camera.Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("camera/frame")
            .WithPayload(new byte[1_048_577]).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientPublishReasonCode.ImplementationSpecificError, tooLarge.ReasonCode);
        Assert.Contains("Equip:Mqtt:MaxMessageBytes", tooLarge.ReasonString);
        var atTheLimit = await camera.Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("camera/frame")
            .WithPayload(new byte[1_048_576]).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(atTheLimit.IsSuccess);
        Assert.Equal(1_048_576, (await viewer.NextMessageAsync("camera/frame")).Payload.Length); // the first never came
    }

    private static async Task<MqttApplicationMessage?> TryNextAsync(MqttTestClient client, string topic)
    {
        try
        {
            return await client.NextMessageAsync(topic, TimeSpan.FromMilliseconds(700));
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
