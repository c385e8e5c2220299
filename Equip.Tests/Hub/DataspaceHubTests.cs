using System.Net.Http.Json;
using System.Text.Json;
using Equip.Protocol;
using Equip.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Time.Testing;

namespace Equip.Tests.Hub;

/// The hub through a real Kestrel and real SignalR clients, on both wire protocols and both providers.
public abstract class DataspaceHubTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestStore? _store;
    private EquipServer? _server;

    private EquipServer Server => _server!;

    protected abstract Task<TestStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        _server = new EquipServer(_store, _time);
    }

    public Task DisposeAsync()
    {
        _server?.Dispose();
        _store?.Dispose();
        return Task.CompletedTask;
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static AddRequest Thing(string name, bool processBound = false, Guid? id = null) =>
        new() { Id = id, Type = "demo.Thing", Fields = Json($$"""{"name":"{{name}}"}"""), ProcessBound = processBound };

    private async Task<JsonElement[]> PeersAsync()
    {
        using var http = Server.NewClient();
        return (await http.GetFromJsonAsync<JsonElement[]>("/api/peers"))!;
    }

    private async Task<string> StateOfAsync(string peerId) =>
        (await PeersAsync()).Single(p => p.GetProperty("peerId").GetString() == peerId).GetProperty("state").GetString()!;

    [Theory]
    [InlineData(WireProtocol.Json)]
    [InlineData(WireProtocol.MessagePack)]
    public async Task APeerRegistersAddsItemsAsResponsibleAndReadsThemBack(WireProtocol protocol)
    {
        var (client, registration) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a", protocol);
        await using var _ = client;

        var added = await client.InvokeAsync<WireItem>("Add", Thing("hall", processBound: true) with { LeaseSeconds = 60 });
        var read = await client.InvokeAsync<WireItem?>("Get", added.Id);
        var found = await client.InvokeAsync<IReadOnlyList<WireItem>>("Query", new QueryRequest { Pattern = new WirePattern { Type = "demo.*", Fields = new() { ["name"] = Json("\"hall\"") } } });

        Assert.False(registration.SessionPresent);
        Assert.Equal("lamp-1", added.Responsible);
        Assert.True(added.ProcessBound);
        Assert.NotNull(added.LeaseExpiresAt);
        Assert.Equal("hall", read!.Fields.GetProperty("name").GetString());
        Assert.Equal(added.Id, Assert.Single(found).Id);
        Assert.Equal("connected", await StateOfAsync("lamp-1"));
        Assert.Equal("lamp-1", (await PeersAsync()).Single().GetProperty("name").GetString());
    }

    [Fact]
    public async Task RefusalsArriveAsHubErrorsWithACode()
    {
        await using var unregistered = await HubClient.ConnectAsync(Server.Address);
        var (client, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var __ = client;

        async Task<string?> ErrorOf(HubClient c, string method, object argument) =>
            HubErrors.CodeOf((await Assert.ThrowsAsync<HubException>(() => c.InvokeAsync<object>(method, argument))).Message);

        Assert.Equal("not-registered", await ErrorOf(unregistered, "Add", Thing("x")));
        Assert.Equal("invalid", await ErrorOf(client, "Add", new AddRequest { Type = "" }));
        Assert.Equal("invalid", await ErrorOf(client, "Add", new AddRequest { Type = "demo.Thing", Fields = Json("[1]") }));
        Assert.Equal("not-found", await ErrorOf(client, "Update", new UpdateRequest { Id = Guid.NewGuid(), Fields = Json("{}") }));
        Assert.Equal("already-registered", await ErrorOf(client, "Register", new RegisterRequest { PeerId = "lamp-1", Incarnation = "inc-a" }));
        Assert.Equal("invalid", await ErrorOf(unregistered, "Register", new RegisterRequest { PeerId = "", Incarnation = "x" }));
        var item = await client.InvokeAsync<WireItem>("Add", Thing("x"));
        Assert.Equal("revision-mismatch", await ErrorOf(client, "Update", new UpdateRequest { Id = item.Id, Fields = Json("{}"), ExpectedRevision = 999 }));
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
    }

    [Theory]
    [InlineData(WireProtocol.Json)]
    [InlineData(WireProtocol.MessagePack)]
    public async Task ASubscriptionDeliversTheSnapshotThenEveryLaterChangeWithNoGapOrDuplicateUnderConcurrentWriters(WireProtocol protocol)
    {
        var (writer, _) = await HubClient.RegisterAsync(Server.Address, "writer", "w1");
        var (reader, _) = await HubClient.RegisterAsync(Server.Address, "reader", "r1", protocol);
        await using var _w = writer;
        await using var _r = reader;
        const int total = 300;
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < total; i++)
            {
                await writer.InvokeAsync<WireItem>("Add", Thing($"n{i}"));
            }
        });
        await Wait.UntilAsync(async () => (await writer.InvokeAsync<IReadOnlyList<WireItem>>("Query", new QueryRequest { Pattern = new WirePattern { Type = "demo.Thing" } })).Count >= 50, "some writes are in");

        var subscribed = await reader.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest { SubscriptionId = "s1", Pattern = new WirePattern { Type = "demo.*" } });
        await writes;

        var snapshot = await reader.ReceiveAsync<SnapshotMessage>();
        Assert.Equal("s1", snapshot.SubscriptionId);
        Assert.Equal(subscribed.Revision, snapshot.Revision);
        var seen = snapshot.Items.Select(i => i.Id).ToList();
        var lastRevision = snapshot.Revision;
        while (seen.Count < total)
        {
            var changes = await reader.ReceiveAsync<ChangesMessage>();
            foreach (var change in changes.Events)
            {
                Assert.True(change.Revision > lastRevision, $"revision {change.Revision} after {lastRevision}");
                lastRevision = change.Revision;
                Assert.Equal("added", change.Kind);
                Assert.True(change.Matches);
                seen.Add(change.Item.Id);
            }
        }
        Assert.Equal(total, seen.Distinct().Count());
        Assert.Equal(total, seen.Count);
        Assert.True(snapshot.Items.Count >= 50 && snapshot.Items.Count < total, $"snapshot of {snapshot.Items.Count}");
    }

    [Fact]
    public async Task ASubscriptionFromARevisionReplaysTheLogThenGoesLive()
    {
        var (client, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var _ = client;
        var first = await client.InvokeAsync<WireItem>("Add", Thing("first"));
        var second = await client.InvokeAsync<WireItem>("Add", Thing("second"));
        await client.InvokeAsync("Delete", new DeleteRequest { Id = first.Id });

        await client.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest { SubscriptionId = "s", Pattern = new WirePattern { Type = "demo.Thing" }, FromRevision = first.Revision });
        var live = await client.InvokeAsync<WireItem>("Add", Thing("live"));

        var events = new List<WireEvent>();
        while (events.Count < 3)
        {
            events.AddRange((await client.ReceiveAsync<ChangesMessage>()).Events);
        }
        Assert.Equal([second.Revision, second.Revision + 1, live.Revision], events.Select(e => e.Revision));
        Assert.Equal(["added", "deleted", "added"], events.Select(e => e.Kind));
        Assert.Equal("explicit", events[1].Reason);
    }

    [Fact]
    public async Task ASubscriptionFromARevisionAheadOfTheLogGetsAResynchronisedSnapshot()
    {
        var (client, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var _ = client;
        var item = await client.InvokeAsync<WireItem>("Add", Thing("only"));

        await client.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest { SubscriptionId = "s", Pattern = new WirePattern { Type = "demo.*" }, FromRevision = item.Revision + 1000 });

        var snapshot = await client.ReceiveAsync<SnapshotMessage>();
        Assert.True(snapshot.Resynchronised);
        Assert.Equal(item.Id, Assert.Single(snapshot.Items).Id);
        Assert.Equal(item.Revision, snapshot.Revision);
    }

    [Fact]
    public async Task ASubscriptionFurtherBehindThanMaxReplayRevisionsGetsAResynchronisedSnapshotAndOneWithinItGetsTheReplay()
    {
        _server!.Dispose();
        _server = new EquipServer(_store!.With("Equip:Limits:MaxReplayRevisions", "5"), _time);
        var (client, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var _ = client;
        var thing = await client.InvokeAsync<WireItem>("Add", Thing("thing"));
        WireItem last = thing;
        for (var i = 0; i < 6; i++)
        {
            last = await client.InvokeAsync<WireItem>("Add", Thing($"other-{i}") with { Type = "demo.Other" });
        }

        await client.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest { SubscriptionId = "far", Pattern = new WirePattern { Type = "demo.Thing" }, FromRevision = last.Revision - 6 });
        var snapshot = await client.ReceiveAsync<SnapshotMessage>();
        await client.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest { SubscriptionId = "near", Pattern = new WirePattern { Type = "demo.Other" }, FromRevision = last.Revision - 5 });
        var replayed = new List<WireEvent>();
        while (replayed.Count < 5) // the replay may come in more than one Changes message
        {
            var replay = await client.ReceiveAsync<ChangesMessage>();
            Assert.Equal("near", replay.SubscriptionId);
            replayed.AddRange(replay.Events);
        }

        Assert.Equal("far", snapshot.SubscriptionId);
        Assert.True(snapshot.Resynchronised);
        Assert.Equal(thing.Id, Assert.Single(snapshot.Items).Id);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => last.Revision - 4 + i), replayed.Select(e => e.Revision));
    }

    [Fact]
    public async Task AnItemWhoseFieldsStopMatchingReachesTheSubscriberMarkedAsNotMatching()
    {
        var (client, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var _ = client;
        var item = await client.InvokeAsync<WireItem>("Add", Thing("hall"));
        await client.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest
        {
            SubscriptionId = "hall",
            Pattern = new WirePattern { Type = "demo.Thing", Fields = new() { ["name"] = Json("\"hall\"") } },
        });
        Assert.Single((await client.ReceiveAsync<SnapshotMessage>()).Items);

        await client.InvokeAsync<WireItem>("Update", new UpdateRequest { Id = item.Id, Fields = Json("""{"name":"kitchen"}""") });

        var left = Assert.Single((await client.ReceiveAsync<ChangesMessage>()).Events);
        Assert.False(left.Matches);
        Assert.Equal(item.Id, left.Item.Id);
    }

    [Fact]
    public async Task UnsubscribingStopsDelivery()
    {
        var (client, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var _ = client;
        await client.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest { SubscriptionId = "a", Pattern = new WirePattern { Type = "demo.Thing" } });
        await client.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest { SubscriptionId = "b", Pattern = new WirePattern { Type = "other.*" } });
        await client.ReceiveAsync<SnapshotMessage>();
        await client.ReceiveAsync<SnapshotMessage>();

        Assert.True(await client.InvokeAsync<bool>("Unsubscribe", "a"));
        await client.InvokeAsync<WireItem>("Add", Thing("ignored"));
        await client.InvokeAsync<WireItem>("Add", new AddRequest { Type = "other.Marker", Fields = Json("{}") });

        var marker = await client.ReceiveAsync<ChangesMessage>();
        Assert.Equal("b", marker.SubscriptionId);
        Assert.Equal("other.Marker", Assert.Single(marker.Events).Item.Type);
    }

    [Fact]
    public async Task ProcessBoundItemsOfAPeerThatLeftAreDeletedWhenTheGracePeriodEnds()
    {
        var (device, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        var (watcher, _) = await HubClient.RegisterAsync(Server.Address, "watcher", "w");
        await using var _w = watcher;
        var bound = await device.InvokeAsync<WireItem>("Add", Thing("bound", processBound: true));
        await watcher.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest { SubscriptionId = "s", Pattern = new WirePattern { Type = "demo.*" } });
        await watcher.ReceiveAsync<SnapshotMessage>();

        await device.DisposeAsync();
        await Wait.UntilAsync(async () => await StateOfAsync("lamp-1") == "reconnecting", "the peer is reconnecting");
        _time.Advance(TimeSpan.FromSeconds(11));

        var deleted = Assert.Single((await watcher.ReceiveAsync<ChangesMessage>()).Events);
        Assert.Equal(bound.Id, deleted.Item.Id);
        Assert.Equal("bound", deleted.Reason);
        Assert.Equal("gone", await StateOfAsync("lamp-1"));
    }

    [Fact]
    public async Task TheSameIncarnationReconnectingWithinTheGracePeriodFindsItsSessionAndNothingIsDeleted()
    {
        var (first, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        var bound = await first.InvokeAsync<WireItem>("Add", Thing("bound", processBound: true));
        await first.DisposeAsync();
        await Wait.UntilAsync(async () => await StateOfAsync("lamp-1") == "reconnecting", "the peer is reconnecting");
        _time.Advance(TimeSpan.FromSeconds(5));

        var (again, registration) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var _ = again;
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(registration.SessionPresent);
        Assert.Equal("connected", await StateOfAsync("lamp-1"));
        Assert.NotNull(await again.InvokeAsync<WireItem?>("Get", bound.Id));
    }

    [Fact]
    public async Task ANewIncarnationClosesTheOldConnectionDeletesItsProcessBoundItemsAtOnceAndFencesIt()
    {
        var (old, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var _o = old;
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.Connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        var bound = await old.InvokeAsync<WireItem>("Add", Thing("bound", processBound: true));
        var persistent = await old.InvokeAsync<WireItem>("Add", Thing("kept"));

        var (restarted, registration) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-b");
        await using var _r = restarted;

        await closed.Task.WaitAsync(Wait.Timeout);
        Assert.False(registration.SessionPresent);
        Assert.Null(await restarted.InvokeAsync<WireItem?>("Get", bound.Id));
        Assert.NotNull(await restarted.InvokeAsync<WireItem?>("Get", persistent.Id));
        Assert.Equal("inc-b", (await PeersAsync()).Single(p => p.GetProperty("peerId").GetString() == "lamp-1").GetProperty("incarnation").GetString());
    }

    [Fact]
    public async Task ASecondConnectionOfTheSameIncarnationReplacesTheFirstWithoutEndingTheSession()
    {
        var (first, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var _f = first;
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        first.Connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        var bound = await first.InvokeAsync<WireItem>("Add", Thing("bound", processBound: true));

        var (second, registration) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var _s = second;
        await closed.Task.WaitAsync(Wait.Timeout);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(registration.SessionPresent);
        Assert.Equal("connected", await StateOfAsync("lamp-1"));
        Assert.NotNull(await second.InvokeAsync<WireItem?>("Get", bound.Id));
    }

    [Fact]
    public async Task WithoutSyncCompleteTheItemsAPeerNoLongerHasExpireAtTheEndOfTheReconnectWindow()
    {
        var (first, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        var kept = await first.InvokeAsync<WireItem>("Add", Thing("kept") with { LeaseSeconds = 3600 });
        var forgotten = await first.InvokeAsync<WireItem>("Add", Thing("forgotten") with { LeaseSeconds = 3600 });
        await first.DisposeAsync();

        var (again, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var _ = again;
        await again.InvokeAsync<IReadOnlyList<WireItem>>("Reassert", new[]
        {
            new ReassertedItemMessage { Id = kept.Id, Type = kept.Type, Fields = kept.Fields, LeaseSeconds = 3600, KnownRevision = kept.Revision },
        });
        await again.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest { SubscriptionId = "s", Pattern = new WirePattern { Type = "demo.*" } });
        await again.ReceiveAsync<SnapshotMessage>();
        _time.Advance(TimeSpan.FromSeconds(31));

        var expired = Assert.Single((await again.ReceiveAsync<ChangesMessage>()).Events);
        Assert.Equal(forgotten.Id, expired.Item.Id);
        Assert.Equal("leaseExpired", expired.Reason);
        Assert.NotNull(await again.InvokeAsync<WireItem?>("Get", kept.Id));
    }

    [Fact]
    public async Task ReassertionAndSyncCompleteRemoveTheItemsAPeerNoLongerHas()
    {
        var (first, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        var kept = await first.InvokeAsync<WireItem>("Add", Thing("kept"));
        var gone = await first.InvokeAsync<WireItem>("Add", Thing("gone"));
        await first.DisposeAsync();

        var (again, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var _ = again;
        await again.InvokeAsync<IReadOnlyList<WireItem>>("Reassert", new[]
        {
            new ReassertedItemMessage { Id = kept.Id, Type = kept.Type, Fields = kept.Fields, KnownRevision = kept.Revision },
        });
        var swept = await again.InvokeAsync<int>("SyncComplete");

        Assert.Equal(1, swept);
        Assert.NotNull(await again.InvokeAsync<WireItem?>("Get", kept.Id));
        Assert.Null(await again.InvokeAsync<WireItem?>("Get", gone.Id));
    }

    /// A reconnect storm in miniature: the writes of many peers share transactions (their peers and
    /// items read once per batch), and their reads queue for a single read slot. Every peer must
    /// still get exactly its own items back, its snapshot, and lose only what it no longer has.
    [Fact]
    public async Task ManyPeersReturningAtOnceEachKeepExactlyWhatTheyReassertWithOneReadSlot()
    {
        _server!.Dispose();
        _server = new EquipServer(_store!.With("Equip:Database:MaxConcurrentReads", "1"), _time);
        const int peers = 40;
        var before = await Task.WhenAll(Enumerable.Range(0, peers).Select(async i =>
        {
            var (client, _) = await HubClient.RegisterAsync(Server.Address, $"peer-{i}", "inc-a");
            await using var _ = client;
            var kept = await client.InvokeAsync<WireItem>("Add", Thing($"kept-{i}", processBound: true));
            var dropped = await client.InvokeAsync<WireItem>("Add", Thing($"dropped-{i}", processBound: true));
            return (kept, dropped);
        }));

        var returned = await Task.WhenAll(Enumerable.Range(0, peers).Select(async i =>
        {
            var (client, registration) = await HubClient.RegisterAsync(Server.Address, $"peer-{i}", "inc-a");
            await client.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest { SubscriptionId = "all", Pattern = new WirePattern { Type = "demo.Thing" } });
            var snapshot = await client.ReceiveAsync<SnapshotMessage>();
            var kept = before[i].kept;
            var answer = await client.InvokeAsync<IReadOnlyList<WireItem>>("Reassert", new[]
            {
                new ReassertedItemMessage { Id = kept.Id, Type = kept.Type, Fields = kept.Fields, ProcessBound = true, KnownRevision = kept.Revision },
            });
            var swept = await client.InvokeAsync<int>("SyncComplete");
            return (client, registration, snapshot, answer, swept, kept);
        }));

        var left = await returned[0].client.InvokeAsync<IReadOnlyList<WireItem>>("Query", new QueryRequest { Pattern = new WirePattern { Type = "demo.Thing" } });
        foreach (var (client, registration, snapshot, answer, swept, kept) in returned)
        {
            Assert.True(registration.SessionPresent);
            Assert.Contains(snapshot.Items, i => i.Id == kept.Id); // others may have swept theirs already
            Assert.Equal(1, swept);
            Assert.Equal(kept.Id, Assert.Single(answer).Id);
            await client.DisposeAsync();
        }
        Assert.Equal(before.Select(b => b.kept.Id).Order(), left.Select(i => i.Id).Order());
    }
}

public sealed class SqliteDataspaceHubTests : DataspaceHubTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresDataspaceHubTests(PostgresFixture postgres) : DataspaceHubTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync(postgres);
}
