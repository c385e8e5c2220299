using System.Text.Json;
using Equip.Domain.Access;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Equip.Tests.Dataspace;

/// Values (SetValues): each the item's "value" field alone, with a revision of its own, applied
/// to the live item in place and stored behind by a flush that runs beside the writer. Run once
/// per provider.
public abstract class ValueContractTests : IAsyncLifetime
{
    private readonly List<StoreHost> _hosts = [];
    private TestStore? _store;

    protected TestStore Store => _store ?? throw new InvalidOperationException("No store.");

    protected abstract Task<TestStore> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
        _store?.Dispose();
    }

    private async Task<StoreHost> StartAsync(params (string, string)[] settings)
    {
        var host = await StoreHost.StartAsync(Store, settings: settings);
        _hosts.Add(host);
        return host;
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static AddItem Level(string? responsible = null, PeerActor? by = null) =>
        new(null, "demo.Level", Json("""{"name":"level","value":0,"unit":"%"}"""), responsible, ProcessBound: responsible is not null, By: by);

    private static SetValues Values(PeerActor? by, params (Guid Id, string Json)[] values) =>
        new([.. values.Select(v => new ValueWrite(v.Id, Json(v.Json)))], by);

    private static async Task<PeerActor> RegisterAsync(StoreHost host, string peerId) =>
        (await host.Peers.RegisterAsync(peerId, "run-1", peerId, null)).Actor;

    [Fact]
    public async Task EachValueReplacesTheValueFieldAloneWithARevisionOfItsOwnAndAValueEvent()
    {
        var host = await StartAsync();
        var item = (await host.Dataspace.AddAsync(Level())).Item;
        var events = new List<ChangeEvent>();
        using var feed = host.Feed.Subscribe(batch => { lock (events) { events.AddRange(batch); } });

        var outcome = await host.Dataspace.SetValuesAsync(Values(null, (item.Id, "0.5"), (item.Id, "\"full\"")));

        Assert.Empty(outcome.Refused);
        Assert.Equal([item.Revision + 1, item.Revision + 2], outcome.Revisions);
        var now = (await host.Dataspace.GetAsync(item.Id))!;
        Assert.Equal(item.Revision + 2, now.Revision);
        Assert.True(JsonElement.DeepEquals(Json("""{"name":"level","value":"full","unit":"%"}"""), now.Fields));
        Assert.Equal(item.CreatedAt, now.CreatedAt);
        await Wait.UntilAsync(() => Task.FromResult(events.Count == 2), "both value events are published");
        Assert.All(events, e => Assert.True(e is { Kind: ChangeKind.Updated, ValueOnly: true, Unreliable: true }));
        Assert.Equal("0.5", events[0].Item.Value!.Value.GetRawText());
        Assert.True(JsonElement.DeepEquals(Json("""{"name":"level","value":0.5,"unit":"%"}"""), events[0].Item.Fields));
        var page = await host.Dataspace.ReadChangesAsync(item.Revision, 10);
        Assert.Equal(["\"full\""], page.Events.Select(e => e.Item.Value!.Value.GetRawText())); // the log keeps the latest value
    }

    [Fact]
    public async Task APeerSetsTheValuesOfItsOwnItemsOnlyAndARefusedValueLeavesTheOthersApplied()
    {
        var host = await StartAsync();
        var owner = await RegisterAsync(host, "owner");
        var other = await RegisterAsync(host, "other");
        var own = (await host.Dataspace.AddAsync(Level("owner", owner))).Item;
        var theirs = (await host.Dataspace.AddAsync(Level("other", other))).Item;
        var missing = Guid.NewGuid();

        var outcome = await host.Dataspace.SetValuesAsync(Values(owner, (theirs.Id, "1"), (own.Id, "2"), (missing, "3"), (own.Id, "\"a\\u0000b\"")));

        Assert.Equal(0, outcome.Revisions[0]);
        Assert.True(outcome.Revisions[1] > own.Revision);
        Assert.Equal([0L, 0L], outcome.Revisions[2..]);
        Assert.Collection(outcome.Refused,
            r => Assert.True(r is { Index: 0, Error: NotResponsibleException }),
            r => Assert.True(r is { Index: 2, Error: ItemNotFoundException }),
            r => Assert.True(r is { Index: 3, Error: InvalidItemException }));
        Assert.Equal(2, (await host.Dataspace.GetAsync(own.Id))!.Value!.Value.GetInt32());
        Assert.Equal(0, (await host.Dataspace.GetAsync(theirs.Id))!.Value!.Value.GetInt32());
    }

    [Fact]
    public async Task AFencedIncarnationsValuesAreRefusedAsAWhole()
    {
        var host = await StartAsync();
        var first = await RegisterAsync(host, "device");
        var item = (await host.Dataspace.AddAsync(new AddItem(null, "demo.Level", Json("""{"value":0}"""), "device", By: first))).Item;
        await host.Peers.RegisterAsync("device", "run-2", "device", null);
        ValuesOutcome? applied = null;

        await Assert.ThrowsAsync<StaleIncarnationException>(() => host.Dataspace.SetValuesAsync(Values(first, (item.Id, "1"), (item.Id, "2")) with { OnApplied = o => applied = o }));

        Assert.Equal([0L, 0L], applied!.Revisions);
        Assert.True(Assert.Single(applied.Refused) is { Index: -1, Error: StaleIncarnationException });
        Assert.Equal(0, (await host.Dataspace.GetAsync(item.Id))!.Value!.Value.GetInt32());
    }

    [Fact]
    public async Task ValuesAreAppliedAndAnsweredWhileAFlushWaitsForTheStoreAndStoredOnceItCan()
    {
        var host = await StartAsync(("Equip:Database:FlushInterval", "00:00:00.050"));
        var item = (await host.Dataspace.AddAsync(Level())).Item;

        await using (var blocker = Store.OpenDb())
        {
            // Holds the store's write lock, as a long transaction of another writer would.
            await using var transaction = await blocker.Database.BeginTransactionAsync();
            await blocker.LockStateAsync(CancellationToken.None);
            for (var n = 1; n <= 20; n++)
            {
                var outcome = await host.Dataspace.SetValuesAsync(Values(null, (item.Id, n.ToString()))).WaitAsync(TimeSpan.FromSeconds(2));
                Assert.True(outcome.Revisions[0] > 0);
                await Task.Delay(10); // flushes fall due meanwhile, and wait for the lock
            }
            Assert.Equal(20, (await host.Dataspace.GetAsync(item.Id))!.Value!.Value.GetInt32());
            Assert.Equal(0, await StoredValueAsync(item.Id));
        }

        await Wait.UntilAsync(async () => await StoredValueAsync(item.Id) == 20, "the latest value is stored");
    }

    [Fact]
    public async Task ValuesKeepFlowingPastTheMinimumCeilingStepWhileAFlushWaitsForTheStore()
    {
        // At a steady pace the revision ceiling stays CeilingSteps.Horizon ahead of the writer: a
        // flush held up for a while must not make the writer reach the ceiling and wait for it.
        var host = await StartAsync(("Equip:Database:FlushInterval", "00:00:00.050"));
        var item = (await host.Dataspace.AddAsync(Level())).Item;
        var sent = 0;
        async Task SendAsync(int count)
        {
            var values = Enumerable.Range(0, count).Select(_ => (item.Id, (++sent).ToString())).ToArray();
            await host.Dataspace.SetValuesAsync(Values(null, values)).WaitAsync(TimeSpan.FromSeconds(10));
        }

        // A pace first (tens of thousands of revisions a second, for more than a second), stored by flushes as it goes.
        for (var i = 0; i < 15; i++)
        {
            await SendAsync(5_000);
            await Task.Delay(100);
        }
        await using (var blocker = Store.OpenDb())
        {
            await using var transaction = await blocker.Database.BeginTransactionAsync();
            await blocker.LockStateAsync(CancellationToken.None);
            await Task.Delay(200); // a flush falls due and waits for the lock
            for (var i = 0; i < 30; i++)
            {
                await SendAsync(5_000); // 150,000 revisions in all: more than the minimum step
            }
            Assert.Equal(sent, (await host.Dataspace.GetAsync(item.Id))!.Value!.Value.GetInt32());
        }

        await Wait.UntilAsync(async () => await StoredValueAsync(item.Id) == sent, "the latest value is stored");
    }

    [Fact]
    public async Task TheRetainedCountCountsStoredEventsNotRevisions()
    {
        var host = await StartAsync(
            ("Equip:ChangeLog:RetainCount", "3"), ("Equip:ChangeLog:PruneInterval", "00:00:01"), ("Equip:Database:FlushInterval", "01:00:00"));
        await host.Dataspace.AddAsync(Level()); // revision 1
        var level = (await host.Dataspace.AddAsync(Level())).Item; // 2
        for (var n = 1; n <= 10; n++)
        {
            await host.Dataspace.SetValuesAsync(Values(null, (level.Id, n.ToString()))); // 3-12, squashed before they are stored
        }
        await host.Dataspace.AddAsync(Level()); // 13: its commit stores the latest value (12) with it

        host.Time.Advance(TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(() => host.IsCompactedAsync(0), "the log is pruned");

        var retained = await host.Dataspace.ReadChangesAsync(1, 100);
        Assert.Equal([2L, 12, 13], retained.Events.Select(e => e.Revision));
    }

    private async Task<int> StoredValueAsync(Guid id)
    {
        await using var db = Store.OpenDb();
        var row = await db.Items.AsNoTracking().SingleAsync(i => i.Id == id);
        return row.Fields.GetProperty("value").GetInt32();
    }
}

public sealed class SqliteValueTests : ValueContractTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresValueTests(PostgresFixture postgres) : ValueContractTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync(postgres);
}
