using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Testing;
using Equip.Tests.Security;
using Equip.Tests.Support;
using MQTTnet;
using MQTTnet.Protocol;

namespace Equip.Tests.Mqtt;

/// F3 for an MQTT device: its network goes silent (the fault proxy passes nothing, not even a
/// close); the broker notices after 1.5 × the client's keep-alive, publishes its will, and the
/// peer is reconnecting; when the network is back the device reconnects as the same incarnation
/// (a persistent session) and nothing of it was removed.
public sealed class MqttFaultTests : SecurityServer
{
    [Fact]
    public async Task ASilentNetworkIsNoticedAfterOneAndAHalfKeepAlivesAndTheDeviceComesBack()
    {
        await using var proxy = new FaultProxy(Server.MqttPort);
        await using var watcher = await MqttTestClient.ConnectAsync(Server.MqttPort, "watcher");
        await watcher.SubscribeAsync("plug-1/status");
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", proxy.Port).WithClientId("plug-1")
            .WithCredentials("plug", TestKeys.Admin).WithKeepAlivePeriod(TimeSpan.FromSeconds(2))
            .WithCleanSession(false).WithSessionExpiryInterval(600)
            .WithWillTopic("plug-1/status").WithWillPayload("offline").WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTimeout(TimeSpan.FromSeconds(5)).Build();
        var (plug, result) = await MqttTestClient.TryConnectAsync(options);
        await using var _ = plug;
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        await plug.PublishAsync("stat/plug-1/POWER", "ON");
        await Wait.UntilAsync(async () => await PeerStateAsync("plug-1") == "connected", "plug-1 connected");
        var incarnation = await IncarnationAsync("plug-1");

        proxy.Blackhole();
        var silent = Stopwatch.StartNew();
        Assert.Equal(("offline", false), await watcher.NextAsync("plug-1/status"));
        var noticed = silent.Elapsed;
        Assert.InRange(noticed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(6)); // 1.5 × 2 s, checked every half second
        await Wait.UntilAsync(async () => await PeerStateAsync("plug-1") == "reconnecting", "plug-1 reconnecting");

        proxy.Restore();
        plug.Client.Dispose(); // the device's side of the dead connection; it connects anew
        var (back, again) = await MqttTestClient.TryConnectAsync(options);
        await using var __ = back;
        Assert.Equal(MqttClientConnectResultCode.Success, again.ResultCode);
        Assert.True(again.IsSessionPresent);
        await Wait.UntilAsync(async () => await PeerStateAsync("plug-1") == "connected", "plug-1 connected again");
        Assert.Equal(incarnation, await IncarnationAsync("plug-1"));
    }

    private async Task<JsonElement?> PeerAsync(string peerId)
    {
        using var admin = Server.NewClient();
        var peers = await admin.GetFromJsonAsync<JsonElement>("/api/peers");
        return peers.EnumerateArray().FirstOrDefault(p => p.GetProperty("peerId").GetString() == peerId) is { ValueKind: JsonValueKind.Object } peer ? peer : null;
    }

    private async Task<string?> PeerStateAsync(string peerId) => (await PeerAsync(peerId))?.GetProperty("state").GetString();

    private async Task<string?> IncarnationAsync(string peerId) => (await PeerAsync(peerId))?.GetProperty("incarnation").GetString();
}
