using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Protocol;
using Equip.Testing;
using Equip.Tests.Support;
using static Equip.Tests.Support.Devices;

namespace Equip.Tests.Client;

/// Equip.Client against a real Kestrel, through a fault-injecting TCP proxy, on both providers.
public abstract class EquipClientTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private readonly List<IAsyncDisposable> _cleanup = [];
    private EquipServer? _server;
    private FaultProxy? _proxy;

    private EquipServer Server => _server!;

    private FaultProxy Proxy => _proxy!;

    protected abstract Task<TestStore> CreateStoreAsync();

    public async Task InitializeAsync() =>
        _store = (await CreateStoreAsync())
            .With("Equip:Peers:KeepAliveInterval", "00:00:00.500")
            .With("Equip:Peers:ClientTimeout", "00:00:02");

    private void StartServer(string grace)
    {
        _server = new EquipServer(_store.With("Equip:Peers:DisconnectGrace", grace));
        _proxy = new FaultProxy(_server.Address.Port);
    }

    private T Track<T>(T disposable) where T : IAsyncDisposable
    {
        _cleanup.Add(disposable);
        return disposable;
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_cleanup))
        {
            await disposable.DisposeAsync();
        }
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }
        _server?.Dispose();
        _store.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChangesMadeBeforeTheServerIsReachableAreSentInOrderOnceItIs(bool messagePack)
    {
        StartServer("00:00:10");
        var port = Proxy.TargetPort;
        Proxy.TargetPort = null;
        var device = Track(Start(Proxy.Address, "lamp-1", messagePack));

        var first = device.AddAsync(Thing("first"));
        var second = device.AddAsync(Thing("second"));
        var third = device.AddAsync(Thing("third", processBound: true));
        await Task.Delay(300);
        Assert.False(first.IsCompleted);
        Assert.Equal(3, device.PendingChanges);
        Proxy.TargetPort = port;
        var added = await Task.WhenAll(first, second, third).WaitAsync(Wait.Timeout);
        await device.UpdateAsync(new UpdateRequest { Id = added[0].Id, Fields = Fields("updated") });
        await device.DeleteAsync(added[1].Id);

        Assert.Equal(["first", "second", "third"], added.Select(NameOf));
        Assert.True(added[0].Revision < added[1].Revision && added[1].Revision < added[2].Revision);
        await device.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout);
        Assert.Equal("updated", NameOf((await device.GetAsync(added[0].Id))!));
        Assert.Null(await device.GetAsync(added[1].Id));
        Assert.Equal("lamp-1", added[2].Responsible);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARestartedDeviceKeepsItsPersistentItemsAndLosesOnlyItsProcessBoundOnes(bool messagePack)
    {
        StartServer("00:00:30");
        var before = Start(Server.Address, "lamp-1", messagePack);
        var persistent = await before.AddAsync(Thing("persistent")).WaitAsync(Wait.Timeout);
        var bound = await before.AddAsync(Thing("bound", processBound: true)).WaitAsync(Wait.Timeout);
        await before.DisposeAsync();

        var after = Track(Start(Server.Address, "lamp-1", messagePack));
        await after.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout);
        var own = await after.AddAsync(Thing("after restart")).WaitAsync(Wait.Timeout);

        using var http = Server.NewClient();
        var events = await http.GetFromJsonAsync<JsonElement>($"/api/events?after={persistent.Revision}");
        Assert.DoesNotContain(events.GetProperty("events").EnumerateArray(),
            e => e.GetProperty("item").GetProperty("id").GetGuid() == persistent.Id && e.GetProperty("kind").GetString() == "deleted");
        Assert.Equal("persistent", NameOf((await after.GetAsync(persistent.Id))!));
        Assert.Null(await after.GetAsync(bound.Id));
        Assert.NotNull(await after.GetAsync(own.Id));
    }

    /// The first attempt goes to a host that accepts the connection and never answers (a silent
    /// network): it must be given up after the client's server timeout, not after the minutes an
    /// HTTP request or the OS takes, so that the next attempt reaches the server once it is there.
    [Fact]
    public async Task AConnectAttemptIntoASilentNetworkIsAbandonedAfterTheServerTimeout()
    {
        StartServer("00:00:10");
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var held = new System.Collections.Concurrent.ConcurrentBag<System.Net.Sockets.TcpClient>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                held.Add(await silent.AcceptTcpClientAsync());
            }
        });
        var server = Proxy.TargetPort;
        Proxy.TargetPort = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var device = Track(Start(Proxy.Address, "lamp-1"));
        await Wait.UntilAsync(() => Task.FromResult(held.Count > 0), "the first attempt reaches the silent host");

        Proxy.TargetPort = server;
        var added = await device.AddAsync(Thing("after")).WaitAsync(TimeSpan.FromSeconds(8)); // 2 s timeout + 0.5 s backoff, with room

        Assert.Equal("after", NameOf(added));
    }

    [Fact]
    public async Task AResetShorterThanTheGracePeriodDeletesNothingAndTheReplicaCatchesUpOnWhatItMissed()
    {
        StartServer("00:00:30");
        var device = Track(Start(Proxy.Address, "lamp-1"));
        var other = Track(Start(Server.Address, "other"));
        var bound = await device.AddAsync(Thing("bound", processBound: true));
        var x = await other.AddAsync(Thing("x"));
        var y = await other.AddAsync(Thing("y"));
        var replica = device.Subscribe(new WirePattern { Type = "demo.*" });
        await replica.Settled(r => r.Items.Count == 3);
        var (watcher, _) = await HubClient.RegisterAsync(Server.Address, "watcher", "w");
        Track(watcher);
        await watcher.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest { SubscriptionId = "all", Pattern = new WirePattern { Type = "*" } });
        await watcher.ReceiveAsync<SnapshotMessage>();
        var reconnected = new TaskCompletionSource<EquipConnectionChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        device.StateChanged += change =>
        {
            if (change.State == EquipConnectionState.Connected)
            {
                reconnected.TrySetResult(change);
            }
        };

        Proxy.Reset();
        await other.UpdateAsync(new UpdateRequest { Id = x.Id, Fields = Fields("x2") });
        await other.DeleteAsync(y.Id);
        var z = await other.AddAsync(Thing("z"));
        Proxy.Restore();

        await replica.Settled(r => r.Get(x.Id) is { } i && NameOf(i) == "x2" && r.Get(y.Id) is null && r.Get(z.Id) is not null);
        Assert.True((await reconnected.Task.WaitAsync(Wait.Timeout)).SessionPresent);
        Assert.NotNull(replica.Get(bound.Id));
        var seen = new List<WireEvent>();
        while (watcher.TryReceive(out var message))
        {
            seen.AddRange(((ChangesMessage)message!).Events);
        }
        Assert.DoesNotContain(seen, e => e.Item.Id == bound.Id);
        Assert.Equal([y.Id], seen.Where(e => e.Kind == "deleted").Select(e => e.Item.Id));
    }

    [Fact]
    public async Task ASilentDropLongerThanTheGracePeriodRemovesTheDevicesItemsThenItsReturnRestoresThemAndItsMissedDeletes()
    {
        StartServer("00:00:01");
        var device = Track(Start(Proxy.Address, "lamp-1"));
        var other = Track(Start(Server.Address, "other"));
        var bound = await device.AddAsync(Thing("bound", processBound: true));
        var deletedWhileAway = await device.AddAsync(Thing("deleted while away"));
        var watch = other.Subscribe(new WirePattern { Type = "demo.*" });
        await watch.Settled(r => r.Items.Count == 2);

        Proxy.Blackhole();
        await watch.Settled(r => r.Get(bound.Id) is null);
        var queuedDelete = device.DeleteAsync(deletedWhileAway.Id);
        Proxy.Restore();

        await queuedDelete.WaitAsync(Wait.Timeout);
        await watch.Settled(r => r.Get(bound.Id) is not null && r.Get(deletedWhileAway.Id) is null);
        await device.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout);
        Assert.Null(await other.GetAsync(deletedWhileAway.Id));
        Assert.Equal("lamp-1", (await other.GetAsync(bound.Id))!.Responsible);
    }

    [Fact]
    public async Task AnOwnItemTheAdminChangedComesBackChangedWhenItIsReassertedAfterTheSessionEnded()
    {
        StartServer("00:00:01");
        var device = Track(Start(Proxy.Address, "lamp-1"));
        var other = Track(Start(Server.Address, "other"));
        var bound = await device.AddAsync(Thing("as added", processBound: true));
        var own = device.Subscribe(new WirePattern { Type = "demo.*", Responsible = "lamp-1" });
        var watch = other.Subscribe(new WirePattern { Type = "demo.*" });
        // Another peer may not change it (it is lamp-1's); the admin may, over REST.
        using (var admin = Server.NewClient())
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/items/{bound.Id}", new { fields = Fields("changed by other") })).StatusCode);
        }
        await own.Settled(r => r.Get(bound.Id) is { } i && NameOf(i) == "changed by other");

        Proxy.Blackhole();
        await watch.Settled(r => r.HasSnapshot && r.Get(bound.Id) is null);
        Proxy.Restore();

        await watch.Settled(r => r.Get(bound.Id) is not null);
        Assert.Equal("changed by other", NameOf((await other.GetAsync(bound.Id).WaitAsync(Wait.Timeout))!));
    }

    [Fact]
    public async Task AClientWhosePeerIdWasTakenOverByANewerProcessStopsInsteadOfFightingIt()
    {
        StartServer("00:00:10");
        var older = Track(Start(Server.Address, "lamp-1"));
        await older.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout);
        var fenced = new TaskCompletionSource<EquipConnectionChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        older.StateChanged += change =>
        {
            if (change.State == EquipConnectionState.Fenced)
            {
                fenced.TrySetResult(change);
            }
        };

        var newer = Track(Start(Server.Address, "lamp-1"));
        await newer.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout);

        var change = await fenced.Task.WaitAsync(Wait.Timeout);
        Assert.Equal(HubErrors.StaleIncarnation, HubErrors.CodeOf(change.Error?.Message));
        var item = await newer.AddAsync(Thing("still mine"));
        Assert.Equal("lamp-1", item.Responsible);
        var late = await Assert.ThrowsAnyAsync<Exception>(() => older.AddAsync(Thing("too late")).WaitAsync(Wait.Timeout));
        Assert.Equal(HubErrors.StaleIncarnation, HubErrors.CodeOf(late.Message));
        Assert.Equal(EquipConnectionState.Connected, newer.State);
    }

    [Fact]
    public async Task WritesAfterTheClientStoppedFailInsteadOfWaitingForever()
    {
        StartServer("00:00:10");
        var device = Start(Server.Address, "lamp-1");
        await device.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout);

        await device.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => device.AddAsync(Thing("late")).WaitAsync(Wait.Timeout));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => device.DeleteAsync(Guid.NewGuid()).WaitAsync(Wait.Timeout));
    }

    /// Property values are high-rate and marked unreliable: while the client cannot send, a newer
    /// value of an item takes the place of the one still queued (and answers its caller), so a
    /// device that was away sends the latest value instead of every tick it missed. Here with
    /// ValuesQueuedPerItem 1 (the latest only); the default keeps four, below.
    [Fact]
    public async Task QueuedUnreliableUpdatesOfAnItemAreSentAsTheLatestOnlyAndEveryCallerIsAnswered()
    {
        StartServer("00:00:30");
        var device = Track(Start(Proxy.Address, "clock-1", valuesQueuedPerItem: 1));
        var clock = await device.AddAsync(Thing("tick-0"));
        var other = await device.AddAsync(Thing("other"));
        var before = clock.Revision;

        Proxy.Reset();
        await Wait.UntilAsync(() => Task.FromResult(device.State != EquipConnectionState.Connected), "the device notices the reset");
        var ticks = Enumerable.Range(1, 50)
            .Select(i => device.UpdateAsync(new UpdateRequest { Id = clock.Id, Fields = Fields($"tick-{i}"), Unreliable = true }))
            .ToList();
        var checkedUpdate = device.UpdateAsync(new UpdateRequest { Id = other.Id, Fields = Fields("checked"), ExpectedRevision = other.Revision, Unreliable = true });
        var queued = device.PendingChanges;
        Proxy.Restore();
        var answers = await Task.WhenAll(ticks).WaitAsync(Wait.Timeout);
        await checkedUpdate.WaitAsync(Wait.Timeout);

        // The latest tick and the checked update; and the first tick if it was on its way when the
        // client noticed the reset (a write on its way is never replaced).
        Assert.InRange(queued, 2, 3);
        Assert.Equal("tick-50", NameOf((await device.GetAsync(clock.Id))!));
        Assert.Equal("tick-50", NameOf(answers[^1]));
        Assert.Equal(answers[^1].Revision, answers[^2].Revision); // the replaced ones are answered with the one that went
        using var http = Server.NewClient();
        var events = await http.GetFromJsonAsync<JsonElement>($"/api/events?after={before}");
        var clockUpdates = events.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("item").GetProperty("id").GetGuid() == clock.Id)
            .Select(e => e.GetProperty("item").GetProperty("fields").GetProperty("name").GetString())
            .ToList();
        // At most two updates reached the server: tick-50, and tick-1 if it was on its way. The log
        // may keep only the latest of them (the server coalesces unreliable values it has not yet
        // stored), never one between.
        Assert.Equal(queued - 1, answers.Select(a => a.Revision).Distinct().Count());
        Assert.Equal(queued == 3 ? "tick-1" : "tick-50", NameOf(answers[0]));
        Assert.Equal("tick-50", clockUpdates[^1]);
        Assert.All(clockUpdates, name => Assert.Contains(name, new[] { "tick-1", "tick-50" }));
    }

    /// Once half of MaxQueuedChanges wait, a value takes the place of the newest waiting one of its
    /// item whatever ValuesQueuedPerItem says: values never fill the queue where one per item
    /// would not. (A client never started queues and never sends.)
    [Fact]
    public async Task OnceItsQueueIsHalfFullAClientKeepsOnlyTheLatestValueOfAnItem()
    {
        await using var device = new EquipClient(new EquipClientOptions
        {
            Server = new Uri("http://127.0.0.1:9"), PeerId = "offline-1", Key = Testing.TestKeys.Admin, MaxQueuedChanges = 8, ValuesQueuedPerItem = 3,
        });
        Guid first = Guid.NewGuid(), second = Guid.NewGuid();
        var values = new List<Task<long>>();
        foreach (var value in new[] { 1, 2, 3 })
        {
            values.Add(device.SetValueAsync(first, JsonSerializer.SerializeToElement(value)));
        }
        Assert.Equal(3, device.PendingChanges);
        foreach (var value in new[] { "a", "b", "c" })
        {
            values.Add(device.SetValueAsync(second, JsonSerializer.SerializeToElement(value)));
        }

        Assert.Equal(4, device.PendingChanges); // half full from "a" on: "b" took its place, "c" took b's
        Assert.All(values, v => Assert.False(v.IsCompleted));
    }

    /// With the default ValuesQueuedPerItem (4): while the client cannot send, the first values of
    /// an item keep their places and the latest takes the fourth, so a device that was away sends
    /// a few values, then the latest, never every tick; every caller is answered.
    [Fact]
    public async Task QueuedUnreliableUpdatesOfAnItemKeepTheFirstFewAndTheLatest()
    {
        StartServer("00:00:30");
        var device = Track(Start(Proxy.Address, "clock-2"));
        var clock = await device.AddAsync(Thing("tick-0"));

        Proxy.Reset();
        await Wait.UntilAsync(() => Task.FromResult(device.State != EquipConnectionState.Connected), "the device notices the reset");
        var ticks = Enumerable.Range(1, 50)
            .Select(i => device.UpdateAsync(new UpdateRequest { Id = clock.Id, Fields = Fields($"tick-{i}"), Unreliable = true }))
            .ToList();
        var queued = device.PendingChanges;
        Proxy.Restore();
        var answers = await Task.WhenAll(ticks).WaitAsync(Wait.Timeout);

        // Ticks 1-3 and the latest; 1-4 and the latest if tick-1 was on its way when the client
        // noticed the reset (a write on its way does not count among those waiting).
        Assert.InRange(queued, 4, 5);
        var went = answers.Select(NameOf).Distinct().ToList();
        Assert.Equal([.. Enumerable.Range(1, queued - 1).Select(i => $"tick-{i}"), "tick-50"], went);
        Assert.Equal(queued, answers.Select(a => a.Revision).Distinct().Count());
        Assert.Equal("tick-50", NameOf((await device.GetAsync(clock.Id))!));
    }

    [Fact]
    public async Task TheQueueOfChangesIsBoundedWithAClearError()
    {
        StartServer("00:00:10");
        Proxy.TargetPort = null;
        var device = new EquipClient(new EquipClientOptions { Server = Proxy.Address, Key = TestKeys.Admin, PeerId = "small", MaxQueuedChanges = 2 });
        Track(device);
        device.Start();

        _ = device.AddAsync(Thing("a"));
        _ = device.AddAsync(Thing("b"));
        var full = await Assert.ThrowsAsync<EquipQueueFullException>(() => device.AddAsync(Thing("c")));

        Assert.Contains("MaxQueuedChanges", full.Message);
        Assert.Equal(2, device.PendingChanges);
    }

    [Fact]
    public async Task APeerIdIsKeptInAFileAndEachClientIsANewIncarnation()
    {
        StartServer("00:00:10");
        var file = Path.Combine(_store.DataDirectory, "device", "peer-id");

        var first = new EquipClient(new EquipClientOptions { Server = Server.Address, Key = TestKeys.Admin, PeerIdFile = file });
        var second = new EquipClient(new EquipClientOptions { Server = Server.Address, Key = TestKeys.Admin, PeerIdFile = file });
        Track(first);
        Track(second);

        Assert.Equal(first.PeerId, second.PeerId);
        Assert.Equal(first.PeerId, File.ReadAllText(file));
        Assert.NotEqual(first.Incarnation, second.Incarnation);
    }
}

public sealed class SqliteEquipClientTests : EquipClientTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresEquipClientTests(PostgresFixture postgres) : EquipClientTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync(postgres);
}
