using System.Net.Sockets;
using System.Text;
using Equip.Testing;
using Equip.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Equip.Tests.Mqtt;

/// The broker library's own log (docs/configuration.md, Logging:LogLevel:MQTTnet): off by
/// default; on, what it reports (here a packet it cannot read, from a client that then loses its
/// connection) is a warning of the category MQTTnet, never an error.
public sealed class MqttLibraryLogTests
{
    [Fact]
    public async Task APacketTheBrokerCannotReadIsAWarningOnceTheLibrarysLogIsOn()
    {
        using var store = TestStore.Sqlite();
        using (var quiet = new EquipServer(store))
        {
            Assert.True(await SendUnreadablePacketAsync(quiet.MqttPort));
            Assert.DoesNotContain(quiet.Logs.Entries, e => e.Category == "MQTTnet");
        }
        using var logging = new EquipServer(store.With("Logging:LogLevel:MQTTnet", "Warning"));
        Assert.True(await SendUnreadablePacketAsync(logging.MqttPort));
        await Wait.UntilAsync(() => Task.FromResult(logging.Logs.Entries.Any(e => e.Category == "MQTTnet")), "the library's warning");
        Assert.All(logging.Logs.Entries.Where(e => e.Category == "MQTTnet"), e => Assert.Equal(LogLevel.Warning, e.Level));
        Assert.Empty(logging.Logs.AtLeast(LogLevel.Error));
    }

    /// Connects (MQTT 3.1.1, the admin key), then sends a packet of the reserved type 0; true once
    /// the broker has closed the connection.
    private static async Task<bool> SendUnreadablePacketAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(ConnectPacket("junk-1", "tester", TestKeys.Admin));
        var connAck = new byte[4];
        await stream.ReadExactlyAsync(connAck);
        Assert.Equal([0x20, 0x02, 0x00, 0x00], connAck);
        await stream.WriteAsync(new byte[] { 0x00, 0x00 });
        using var timeout = new CancellationTokenSource(Wait.Timeout);
        return await stream.ReadAsync(new byte[16], timeout.Token) == 0;
    }

    private static byte[] ConnectPacket(string clientId, string userName, string password)
    {
        var body = new List<byte> { 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0xC2, 0x00, 0x3C };
        foreach (var text in new[] { clientId, userName, password })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            body.AddRange([(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes]);
        }
        return [0x10, (byte)body.Count, .. body]; // fits one length byte (under 128)
    }
}
