using Equip.Testing;
using Equip.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;

namespace Equip.Tests.Mqtt;

/// A client that connects again under its client id as soon as it has said DISCONNECT (a script
/// running mosquitto_pub once per value) keeps its new connection: the earlier connection's end,
/// still under way in the broker, must not end the new one (docs/mqtt.md, Connections). That end
/// is slowest, and the moment widest, when the broker runs it for the first time, so each round
/// is a fresh server process, with ReadyToRun off so that its first run is slower still. Without
/// the wait, about one round in three lost its new connection.
public sealed class MqttReconnectTests
{
    [Fact]
    public async Task AClientThatConnectsAgainAtOnceAfterItsDisconnectKeepsItsNewConnection()
    {
        var failures = new List<string>();
        for (var round = 0; round < 6; round++)
        {
            using var store = TestStore.Sqlite().With("DOTNET_ReadyToRun", "0");
            await using var server = await ServerProcess.StartAsync(store.Settings, store.DataDirectory);
            var (earlier, _) = await MqttTestClient.TryConnectAsync(MqttTestClient.Options(server.MqttPort, "plug-1", version: MqttProtocolVersion.V311).Build());
            await using var _earlier = earlier;
            Assert.True((await earlier.PublishAsync("stat/plug-1/POWER", "ON")).IsSuccess);
            var leaving = earlier.Client.DisconnectAsync(); // its DISCONNECT is sent; the new CONNECT follows at once
            var (again, connecting) = await MqttTestClient.TryConnectAsync(MqttTestClient.Options(server.MqttPort, "plug-1").Build());
            await leaving;
            await using var _again = again;
            Assert.Equal(MqttClientConnectResultCode.Success, connecting.ResultCode);
            var ended = false;
            again.Client.DisconnectedAsync += _ =>
            {
                ended = true;
                return Task.CompletedTask;
            };
            try
            {
                Assert.True((await again.PublishAsync("stat/plug-1/POWER", "OFF")).IsSuccess);
                await Task.Delay(TimeSpan.FromMilliseconds(100)); // the earlier end is over by now
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException error)
            {
                failures.Add($"round {round}: {error.Message}");
            }
            if (ended)
            {
                failures.Add($"round {round}: the new connection was ended");
            }
        }
        Assert.Empty(failures);
    }
}
