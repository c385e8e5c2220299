using Equip.Client;
using Equip.Protocol;
using Equip.Testing;
using Equip.Tests.Support;
using static Equip.Tests.Support.Devices;

namespace Equip.Tests.Client;

/// Equip.Client pipelines unreliable value updates: each goes without waiting for the answers to
/// those before it, so values a device sets while answers are slow all reach the server, in the
/// order they were set; any other write waits for the answers before it.
public sealed class PipeliningTests : IAsyncLifetime
{
    private readonly TestStore _store = TestStore.Sqlite().With("Equip:Peers:ClientTimeout", "00:00:05");
    private EquipServer? _server;
    private FaultProxy? _proxy;

    public Task InitializeAsync()
    {
        _server = new EquipServer(_store);
        _proxy = new FaultProxy(_server.Address.Port);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _proxy!.DisposeAsync();
        _server!.Dispose();
        _store.Dispose();
    }

    /// While the network holds every byte (no answer can come back), the client keeps sending: all
    /// ten values, set one after another, are on the wire, and once the bytes flow the server applies each of them, in
    /// order. Sent one at a time, only the first would be on its way and the other nine would be
    /// squashed into one: two revisions instead of ten.
    [Fact]
    public async Task ValuesSetWhileAnswersAreHeldBackAreAllOnTheirWayAndAppliedInOrder()
    {
        await using var device = Start(_proxy!.Address, "slider-1");
        var slider = await device.AddAsync(Thing("value-0", processBound: true)).WaitAsync(Wait.Timeout);
        await using var display = Start(_server!.Address, "display-1");
        var seen = new List<string>();
        var replica = display.Subscribe(new WirePattern { Type = "demo.Thing" });
        replica.Changed += change =>
        {
            lock (seen)
            {
                seen.Add(NameOf(change.Item));
            }
        };
        await replica.Settled(r => r.HasSnapshot);

        _proxy.Blackhole();
        var values = new List<Task<WireItem>>();
        for (var i = 1; i <= 10; i++)
        {
            values.Add(device.UpdateAsync(new UpdateRequest { Id = slider.Id, Fields = Fields($"value-{i}"), Unreliable = true }));
            await Task.Delay(30); // one at a time, as a slider moves; the client sends each into the held connection
        }
        _proxy.Restore();
        var answers = await Task.WhenAll(values).WaitAsync(Wait.Timeout);

        var revisions = answers.Select(a => a.Revision).ToList();
        Assert.Equal(10, revisions.Distinct().Count()); // each value was applied by the server itself
        Assert.Equal(revisions.Order(), revisions);
        Assert.Equal("value-10", NameOf(answers[^1]));
        await replica.Settled(r => r.Get(slider.Id) is { } item && NameOf(item) == "value-10");
        lock (seen)
        {
            var order = seen.Where(n => n != "value-0").Select(n => int.Parse(n["value-".Length..])).ToList();
            Assert.Equal(order.Order(), order); // a subscriber may get fewer when it lags, never out of order
        }
    }

    /// A write that is not an unreliable value waits for the pipelined values before it: the
    /// checked update sees the revision the last value left.
    [Fact]
    public async Task AWriteAfterPipelinedValuesGoesOnlyOnceTheyWereAnswered()
    {
        await using var device = Start(_server!.Address, "slider-2");
        var slider = await device.AddAsync(Thing("value-0", processBound: true)).WaitAsync(Wait.Timeout);
        var values = Enumerable.Range(1, 20)
            .Select(i => device.UpdateAsync(new UpdateRequest { Id = slider.Id, Fields = Fields($"value-{i}"), Unreliable = true }))
            .ToList();
        var renamed = device.UpdateAsync(new UpdateRequest { Id = slider.Id, Fields = Fields("renamed") });
        var answers = await Task.WhenAll(values).WaitAsync(Wait.Timeout);
        var last = await renamed.WaitAsync(Wait.Timeout);

        Assert.True(last.Revision > answers.Max(a => a.Revision));
        Assert.Equal("renamed", NameOf((await device.GetAsync(slider.Id))!));
    }

    /// A device that never stops setting values still completes its sync after a reconnect: the
    /// sync waits for the writes queued before the connect, not for a queue that is never empty.
    [Fact]
    public async Task ADeviceStreamingValuesCompletesItsSyncAfterAReconnect()
    {
        await using var device = Start(_proxy!.Address, "slider-3");
        var slider = await device.AddAsync(Thing("value-0", processBound: true)).WaitAsync(Wait.Timeout);
        using var stop = new CancellationTokenSource();
        var streaming = Task.Run(async () =>
        {
            for (var i = 1; !stop.IsCancellationRequested; i++)
            {
                _ = device.UpdateAsync(new UpdateRequest { Id = slider.Id, Fields = Fields($"value-{i}"), Unreliable = true });
                await Task.Yield();
            }
        });
        try
        {
            await Task.Delay(200);
            _proxy.Reset();
            await Wait.UntilAsync(() => Task.FromResult(device.State != EquipConnectionState.Connected), "the device notices the reset");
            _proxy.Restore();
            await device.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout);
        }
        finally
        {
            await stop.CancelAsync();
            await streaming;
        }
        Assert.Equal(EquipConnectionState.Connected, device.State);
    }

    /// A device away for long replaces a queued value many thousand times: when the one that went
    /// is answered, every replaced caller is answered too, without the client falling over (the
    /// chain of replaced writes once made a recursion as deep as the chain: a stack overflow).
    [Fact]
    public async Task TwoHundredThousandReplacedValuesAreAllAnsweredWhenTheLatestIs()
    {
        await using var device = Start(_proxy!.Address, "slider-4");
        var slider = await device.AddAsync(Thing("value-0", processBound: true)).WaitAsync(Wait.Timeout);
        _proxy.Reset();
        await Wait.UntilAsync(() => Task.FromResult(device.State != EquipConnectionState.Connected), "the device notices the reset");
        var values = Enumerable.Range(1, 200_000)
            .Select(i => device.UpdateAsync(new UpdateRequest { Id = slider.Id, Fields = Fields($"value-{i}"), Unreliable = true }))
            .ToList();
        _proxy.Restore();

        var answers = await Task.WhenAll(values).WaitAsync(Wait.Timeout);
        Assert.Equal("value-200000", NameOf(answers[^1]));
        Assert.Equal(answers[^1].Revision, answers[^2].Revision);
    }
}
