using System.Diagnostics;
using Equip.Tests.Support;

namespace Equip.Tests.Mqtt;

/// A client that publishes faster than Equip:Mqtt:MessagesPerSecond is slowed to it, and loses
/// nothing; another client keeps its own rate meanwhile.
public sealed class MqttRateLimitTests : IAsyncLifetime
{
    private readonly TestStore _store = TestStore.Sqlite().With("Equip:Mqtt:MessagesPerSecond", "20").With("Equip:Mqtt:MessageBurst", "10");
    private EquipServer? _server;

    public Task InitializeAsync()
    {
        _server = new EquipServer(_store);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task AFloodingClientIsSlowedToItsRateAndLosesNothing()
    {
        await using var watcher = await MqttTestClient.ConnectAsync(_server!.MqttPort, "watcher");
        await watcher.SubscribeAsync("flood/#");
        await using var flood = await MqttTestClient.ConnectAsync(_server.MqttPort, "flooder");
        var elapsed = Stopwatch.StartNew();
        for (var n = 0; n < 40; n++)
        {
            Assert.True((await flood.PublishAsync("flood/n", $"{n}")).IsSuccess);
        }
        // 10 at once, then 20 a second: the other 30 take at least 1.4 s (the bucket is refilled every 100 ms).
        Assert.True(elapsed.Elapsed >= TimeSpan.FromSeconds(1.3), $"40 messages took {elapsed.Elapsed}");
        for (var n = 0; n < 40; n++)
        {
            Assert.Equal(($"{n}", false), await watcher.NextAsync("flood/n"));
        }
        // The watcher has a bucket of its own.
        var own = Stopwatch.StartNew();
        for (var n = 0; n < 5; n++)
        {
            await watcher.PublishAsync("other/n", $"{n}");
        }
        Assert.True(own.Elapsed < TimeSpan.FromSeconds(1), $"5 messages of another client took {own.Elapsed}");
    }

    public Task DisposeAsync()
    {
        _server?.Dispose();
        _store.Dispose();
        return Task.CompletedTask;
    }
}
