using System.Text.Json;
using Equip.Client;
using Equip.Protocol;

namespace Equip.Tests.Support;

/// Equip.Client instances set for tests: quick reconnects and timeouts, a peer id of their own.
public static class Devices
{
    public static EquipClient Start(Uri server, string peerId, bool messagePack = true, int valuesQueuedPerItem = 4)
    {
        var client = new EquipClient(new EquipClientOptions
        {
            Server = server,
            PeerId = peerId,
            Key = Testing.TestKeys.Admin,
            Name = peerId,
            UseMessagePack = messagePack,
            InitialReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(500),
            KeepAliveInterval = TimeSpan.FromMilliseconds(500),
            ServerTimeout = TimeSpan.FromSeconds(2),
            ValuesQueuedPerItem = valuesQueuedPerItem,
        });
        client.Start();
        return client;
    }

    public static AddRequest Thing(string name, bool processBound = false) =>
        new() { Type = "demo.Thing", Fields = JsonDocument.Parse($$"""{"name":"{{name}}"}""").RootElement.Clone(), ProcessBound = processBound };

    public static JsonElement Fields(string name) => JsonDocument.Parse($$"""{"name":"{{name}}"}""").RootElement.Clone();

    public static string NameOf(WireItem item) => item.Fields.GetProperty("name").GetString()!;

    public static Task Settled(this Replica replica, Func<Replica, bool> condition) =>
        replica.WaitUntilAsync(condition).WaitAsync(Wait.Timeout);
}
