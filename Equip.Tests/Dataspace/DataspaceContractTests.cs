using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Tests.Support;

namespace Equip.Tests.Dataspace;

/// The store's contract, run once per provider.
public abstract class DataspaceContractTests : IAsyncLifetime
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

    private static AddItem Lamp(string room = "hall", Guid? id = null, TimeSpan? lease = null, string? responsible = null) =>
        new(id, "demo.Lamp", Json($$"""{"room":"{{room}}","on":true}"""), responsible, Lease: lease);

    [Fact]
    public async Task AddTakesTheNextRevisionAndAppendsAnAddedEvent()
    {
        var store = await StartAsync();

        var first = await store.Dataspace.AddAsync(Lamp());
        var second = await store.Dataspace.AddAsync(Lamp("kitchen"));

        Assert.True(first.Created);
        Assert.Equal(first.Item.Revision + 1, second.Item.Revision);
        var page = await store.Dataspace.ReadChangesAsync(0, 100);
        Assert.Equal(second.Item.Revision, page.CurrentRevision);
        Assert.Equal([first.Item.Revision, second.Item.Revision], page.Events.Select(e => e.Revision));
        Assert.All(page.Events, e => Assert.Equal(ChangeKind.Added, e.Kind));
        Assert.Equal("kitchen", page.Events[1].Item.Fields.GetProperty("room").GetString());
    }

    [Fact]
    public async Task ReaddingAnExistingIdIsAnUpdateThatRenewsTheLease()
    {
        var store = await StartAsync();
        var id = Guid.NewGuid();
        var added = await store.Dataspace.AddAsync(Lamp(id: id, lease: TimeSpan.FromSeconds(10)));
        store.Time.Advance(TimeSpan.FromSeconds(5));

        var readded = await store.Dataspace.AddAsync(Lamp("attic", id: id));

        Assert.False(readded.Created);
        Assert.Equal(id, readded.Item.Id);
        Assert.Equal("attic", readded.Item.Fields.GetProperty("room").GetString());
        Assert.Equal(added.Item.LeaseExpiresAt + TimeSpan.FromSeconds(5), readded.Item.LeaseExpiresAt);
        Assert.Equal(added.Item.CreatedAt, readded.Item.CreatedAt);
        var events = (await store.Dataspace.ReadChangesAsync(0, 100)).Events;
        Assert.Equal([ChangeKind.Added, ChangeKind.Updated], events.Select(e => e.Kind));
    }

    [Fact]
    public async Task AnUpdateWithAStaleRevisionIsRefusedAndChangesNothing()
    {
        var store = await StartAsync();
        var added = (await store.Dataspace.AddAsync(Lamp())).Item;
        var updated = await store.Dataspace.UpdateAsync(new UpdateItem(added.Id, null, Json("""{"on":false}"""), added.Revision));

        var refused = await Assert.ThrowsAsync<RevisionMismatchException>(() =>
            store.Dataspace.UpdateAsync(new UpdateItem(added.Id, null, Json("""{"on":true}"""), added.Revision)));

        Assert.Equal(updated.Revision, refused.Actual);
        var stored = await store.Dataspace.GetAsync(added.Id);
        Assert.Equal(updated.Revision, stored!.Revision);
        Assert.False(stored.Fields.GetProperty("on").GetBoolean());
        Assert.Equal(updated.Revision, (await store.Dataspace.ReadChangesAsync(0, 100)).CurrentRevision);
    }

    [Fact]
    public async Task DeleteRemovesTheItemAndAppendsADeletedEventWithItsReason()
    {
        var store = await StartAsync();
        var added = (await store.Dataspace.AddAsync(Lamp())).Item;

        await store.Dataspace.DeleteAsync(new DeleteItem(added.Id));

        Assert.Null(await store.Dataspace.GetAsync(added.Id));
        var deleted = (await store.Dataspace.ReadChangesAsync(added.Revision, 100)).Events.Single();
        Assert.Equal(ChangeKind.Deleted, deleted.Kind);
        Assert.Equal(DeleteReason.Explicit, deleted.Reason);
        Assert.Equal(added.Revision + 1, deleted.Revision);
        Assert.Equal(added.Id, deleted.Item.Id);
    }

    [Fact]
    public async Task WritesToAnUnknownIdAreRefusedAsNotFound()
    {
        var store = await StartAsync();
        var unknown = Guid.NewGuid();

        await Assert.ThrowsAsync<ItemNotFoundException>(() => store.Dataspace.UpdateAsync(new UpdateItem(unknown, null, Json("{}"))));
        await Assert.ThrowsAsync<ItemNotFoundException>(() => store.Dataspace.DeleteAsync(new DeleteItem(unknown)));
        await Assert.ThrowsAsync<ItemNotFoundException>(() => store.Dataspace.RenewLeaseAsync(new RenewLease(unknown)));
        Assert.Equal(0, (await store.Dataspace.ReadChangesAsync(0, 10)).CurrentRevision);
    }

    [Fact]
    public async Task InvalidItemsAreRefusedBeforeTheyReachTheStore()
    {
        var store = await StartAsync();

        await Assert.ThrowsAsync<InvalidItemException>(() => store.Dataspace.AddAsync(new AddItem(null, "", Json("{}"))));
        await Assert.ThrowsAsync<InvalidItemException>(() => store.Dataspace.AddAsync(new AddItem(null, "demo.*", Json("{}"))));
        await Assert.ThrowsAsync<InvalidItemException>(() => store.Dataspace.AddAsync(new AddItem(null, "demo.Lamp", Json("[1]"))));
        await Assert.ThrowsAsync<InvalidItemException>(() => store.Dataspace.AddAsync(new AddItem(null, "demo.Lamp", Json("{}"), ProcessBound: true)));
        Assert.Equal(0, (await store.Dataspace.ReadChangesAsync(0, 10)).CurrentRevision);
    }

    [Fact]
    public async Task QueriesMatchExactTypesPrefixesFieldsAndResponsible()
    {
        var store = await StartAsync();
        var hall = (await store.Dataspace.AddAsync(Lamp("hall", responsible: "peer-a"))).Item;
        var kitchen = (await store.Dataspace.AddAsync(Lamp("kitchen", responsible: "peer-b"))).Item;
        var door = (await store.Dataspace.AddAsync(new AddItem(null, "demo.Door", Json("""{"room":"hall","floor":1}""")))).Item;
        await store.Dataspace.AddAsync(new AddItem(null, "other.Thing", Json("{}")));
        await store.Dataspace.AddAsync(new AddItem(null, "DEMO.Shouting", Json("""{"room":"hall"}""")));
        await store.Dataspace.AddAsync(new AddItem(null, "demo_Underscore", Json("{}")));

        async Task<Guid[]> Ids(Pattern pattern) =>
            (await store.Dataspace.QueryAsync(pattern, null, 100)).Select(i => i.Id).Order().ToArray();

        Assert.Equal(new[] { hall.Id, kitchen.Id }.Order(), await Ids(new Pattern("demo.Lamp")));
        Assert.Equal(new[] { hall.Id, kitchen.Id, door.Id }.Order(), await Ids(new Pattern("demo.*")));
        Assert.Equal(new[] { hall.Id, door.Id }.Order(), await Ids(new Pattern("demo.*", new Dictionary<string, JsonElement> { ["room"] = Json("\"hall\"") })));
        Assert.Equal([door.Id], await Ids(new Pattern("*", new Dictionary<string, JsonElement> { ["floor"] = Json("1.0") })));
        Assert.Equal([kitchen.Id], await Ids(new Pattern("demo.Lamp", Responsible: "peer-b")));
        Assert.Empty(await Ids(new Pattern("demo")));
        Assert.Equal(6, (await Ids(Pattern.All)).Length);
    }

    /// A query for an exact type and a string field is answered from an index of that field (built
    /// by the first such query); it follows the items as the field changes and as they go, and
    /// matches as a scan would (escaped strings are the same string; a number is not a string).
    [Fact]
    public async Task FieldQueriesFollowItemsWhoseFieldChangesAndThatAreDeleted()
    {
        var store = await StartAsync();
        var first = (await store.Dataspace.AddAsync(Lamp("hall"))).Item;
        var second = (await store.Dataspace.AddAsync(Lamp("hall"))).Item;
        var kitchen = (await store.Dataspace.AddAsync(Lamp("kitchen"))).Item;
        async Task<Guid[]> In(string room) =>
            (await store.Dataspace.QueryAsync(new Pattern("demo.Lamp", new Dictionary<string, JsonElement> { ["room"] = Json(room) }), null, 100))
                .Select(i => i.Id).ToArray();
        Assert.Equal(new[] { first.Id, second.Id }.Order(), await In("\"hall\""));

        await store.Dataspace.UpdateAsync(new UpdateItem(second.Id, null, Json("""{"room":"kitchen","on":true}"""), second.Revision));
        await store.Dataspace.DeleteAsync(new DeleteItem(kitchen.Id));
        var escaped = (await store.Dataspace.AddAsync(new AddItem(null, "demo.Lamp", Json("""{"room":"h\u0061ll"}""")))).Item;
        var numbered = (await store.Dataspace.AddAsync(new AddItem(null, "demo.Lamp", Json("""{"room":5}""")))).Item;
        var later = (await store.Dataspace.AddAsync(Lamp("hall"))).Item;

        Assert.Equal(new[] { first.Id, escaped.Id, later.Id }.Order(), await In("\"hall\""));
        Assert.Equal([second.Id], await In("\"kitchen\""));
        Assert.Empty(await In("\"5\""));
        Assert.Equal([numbered.Id], await In("5"));
        Assert.Empty(await In("\"attic\""));
    }

    [Fact]
    public async Task QueriesPageInIdOrderFromTheLastIdSeen()
    {
        var store = await StartAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await store.Dataspace.AddAsync(Lamp(i % 2 == 0 ? "hall" : "kitchen", id: Guid.NewGuid()))).Item.Id);
        }
        var hallPattern = new Pattern("demo.Lamp", new Dictionary<string, JsonElement> { ["room"] = Json("\"hall\"") });

        var all = await PageThroughAsync(store, Pattern.All, pageSize: 3);
        var halls = await PageThroughAsync(store, hallPattern, pageSize: 2);

        Assert.Equal(ids.Order(), all);
        Assert.Equal(ids.Where((_, i) => i % 2 == 0).Order(), halls);
    }

    private static async Task<List<Guid>> PageThroughAsync(StoreHost store, Pattern pattern, int pageSize)
    {
        var seen = new List<Guid>();
        Guid? after = null;
        while (true)
        {
            var page = await store.Dataspace.QueryAsync(pattern, after, pageSize);
            Assert.True(page.Count <= pageSize);
            seen.AddRange(page.Select(i => i.Id));
            if (page.Count < pageSize)
            {
                return seen;
            }
            after = page[^1].Id;
        }
    }

    [Fact]
    public async Task AnExpiredLeaseDeletesTheItemWithReasonLeaseExpired()
    {
        var store = await StartAsync();
        var added = (await store.Dataspace.AddAsync(Lamp(lease: TimeSpan.FromSeconds(30)))).Item;

        var expired = await Wait.ForEventAsync(store.Feed, e => e.Kind == ChangeKind.Deleted,
            () => { store.Time.Advance(TimeSpan.FromSeconds(31)); return Task.CompletedTask; });

        Assert.Equal(added.Id, expired.Item.Id);
        Assert.Equal(DeleteReason.LeaseExpired, expired.Reason);
        Assert.Null(await store.Dataspace.GetAsync(added.Id));
    }

    [Fact]
    public async Task ARenewedLeaseOutlivesItsFirstExpiry()
    {
        var store = await StartAsync();
        var renewed = (await store.Dataspace.AddAsync(Lamp(lease: TimeSpan.FromSeconds(30)))).Item;
        store.Time.Advance(TimeSpan.FromSeconds(20));
        var after = await store.Dataspace.RenewLeaseAsync(new RenewLease(renewed.Id));
        var marker = (await store.Dataspace.AddAsync(Lamp("marker", lease: TimeSpan.FromSeconds(11)))).Item;

        // The sweep that deletes the marker would also have deleted the renewed item, had its lease not moved.
        await Wait.ForEventAsync(store.Feed, e => e.Item.Id == marker.Id && e.Kind == ChangeKind.Deleted,
            () => { store.Time.Advance(TimeSpan.FromSeconds(12)); return Task.CompletedTask; });

        var stored = await store.Dataspace.GetAsync(renewed.Id);
        Assert.NotNull(stored);
        Assert.Equal(renewed.LeaseExpiresAt + TimeSpan.FromSeconds(20), after.LeaseExpiresAt);
        Assert.Equal(renewed.Revision, stored.Revision);
    }

    [Fact]
    public async Task RenewingAnItemWithoutALeaseIsRefused()
    {
        var store = await StartAsync();
        var added = (await store.Dataspace.AddAsync(Lamp())).Item;

        await Assert.ThrowsAsync<ItemHasNoLeaseException>(() => store.Dataspace.RenewLeaseAsync(new RenewLease(added.Id)));
        var started = await store.Dataspace.RenewLeaseAsync(new RenewLease(added.Id, TimeSpan.FromMinutes(1)));
        Assert.NotNull(started.LeaseExpiresAt);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ConcurrentWritersGetDistinctGapFreeRevisionsInLogOrder(bool groupCommit)
    {
        var store = await StartAsync(("Equip:Database:GroupCommit", groupCommit.ToString()));
        const int writers = 16, writesEach = 25;

        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var revisions = new List<long>();
            for (var i = 0; i < writesEach; i++)
            {
                revisions.Add((await store.Dataspace.AddAsync(Lamp($"room-{w}-{i}"))).Item.Revision);
            }
            return revisions;
        })));

        var all = results.SelectMany(r => r).Order().ToList();
        Assert.Equal(Enumerable.Range(1, writers * writesEach).Select(i => (long)i), all);
        Assert.All(results, r => Assert.Equal(r.Order(), r));
        var log = await store.Dataspace.ReadChangesAsync(0, 1000);
        Assert.Equal(all, log.Events.Select(e => e.Revision));
        Assert.Equal(writers * writesEach, (await store.Dataspace.QueryAsync(Pattern.All, null, 1000)).Count);
    }

    [Fact]
    public async Task ADeleteAndReaddOfOneIdInTheSameBatchBothTakeEffectInOrder()
    {
        var store = await StartAsync();
        var id = Guid.NewGuid();
        await store.Dataspace.AddAsync(Lamp(id: id));

        // Queued back to back, so the writer takes them into one transaction.
        await Task.WhenAll(
            store.Dataspace.DeleteAsync(new DeleteItem(id)),
            store.Dataspace.AddAsync(Lamp("again", id: id)),
            store.Dataspace.UpdateAsync(new UpdateItem(id, null, Json("""{"room":"last"}"""))));

        var stored = await store.Dataspace.GetAsync(id);
        Assert.Equal("last", stored!.Fields.GetProperty("room").GetString());
        var kinds = (await store.Dataspace.ReadChangesAsync(0, 10)).Events.Select(e => e.Kind);
        Assert.Equal([ChangeKind.Added, ChangeKind.Deleted, ChangeKind.Added, ChangeKind.Updated], kinds);
    }

    [Fact]
    public async Task ARefusedWriteDoesNotFailTheWritesBatchedWithIt()
    {
        var store = await StartAsync();
        var added = (await store.Dataspace.AddAsync(Lamp())).Item;

        var good = Enumerable.Range(0, 20).Select(i => store.Dataspace.AddAsync(Lamp($"r{i}"))).ToList();
        var stale = store.Dataspace.UpdateAsync(new UpdateItem(added.Id, null, Json("{}"), ExpectedRevision: 999));
        var missing = store.Dataspace.DeleteAsync(new DeleteItem(Guid.NewGuid()));

        await Task.WhenAll(good);
        await Assert.ThrowsAsync<RevisionMismatchException>(() => stale);
        await Assert.ThrowsAsync<ItemNotFoundException>(() => missing);
        Assert.Equal(21, (await store.Dataspace.ReadChangesAsync(0, 100)).CurrentRevision);
    }

    [Fact]
    public async Task TheChangeFeedDeliversEveryCommittedEventInRevisionOrder()
    {
        var store = await StartAsync();
        var delivered = new List<long>();
        using var subscription = store.Feed.Subscribe(events =>
        {
            lock (delivered)
            {
                delivered.AddRange(events.Select(e => e.Revision));
            }
        });

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => store.Dataspace.AddAsync(Lamp($"r{i}"))));

        lock (delivered)
        {
            Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), delivered);
        }
    }

    [Fact]
    public async Task ReadingBehindTheRetainedCountIsRefusedNamingTheOldestRetainedRevision()
    {
        var store = await StartAsync(("Equip:ChangeLog:RetainCount", "5"), ("Equip:ChangeLog:PruneInterval", "00:00:01"));
        for (var i = 0; i < 10; i++)
        {
            await store.Dataspace.AddAsync(Lamp($"r{i}"));
        }

        store.Time.Advance(TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(async () => await store.IsCompactedAsync(0), "the log is pruned");

        var refused = await Assert.ThrowsAsync<ChangeLogCompactedException>(() => store.Dataspace.ReadChangesAsync(4, 100));
        Assert.Equal(6, refused.OldestRetainedRevision);
        var retained = await store.Dataspace.ReadChangesAsync(5, 100);
        Assert.Equal([6L, 7, 8, 9, 10], retained.Events.Select(e => e.Revision));
        Assert.Equal(10, retained.CurrentRevision);
    }

    [Fact]
    public async Task EventsOlderThanTheRetainedAgeArePruned()
    {
        var store = await StartAsync(("Equip:ChangeLog:RetainAge", "01:00:00"), ("Equip:ChangeLog:PruneInterval", "00:00:01"));
        for (var i = 0; i < 3; i++)
        {
            await store.Dataspace.AddAsync(Lamp($"r{i}"));
        }
        store.Time.Advance(TimeSpan.FromMinutes(30));
        var recent = (await store.Dataspace.AddAsync(Lamp("recent"))).Item;

        store.Time.Advance(TimeSpan.FromMinutes(31));
        await Wait.UntilAsync(async () => await store.IsCompactedAsync(2), "the old events are pruned");

        var refused = await Assert.ThrowsAsync<ChangeLogCompactedException>(() => store.Dataspace.ReadChangesAsync(0, 100));
        Assert.Equal(4, refused.OldestRetainedRevision);
        Assert.Equal([recent.Revision], (await store.Dataspace.ReadChangesAsync(3, 100)).Events.Select(e => e.Revision));
    }

    [Fact]
    public async Task AcknowledgedWritesAndTheRevisionCounterSurviveARestartOnTheSameStore()
    {
        var first = await StartAsync();
        var kept = (await first.Dataspace.AddAsync(Lamp("kept"))).Item;
        await first.DisposeAsync();
        _hosts.Remove(first);

        var second = await StartAsync();
        var next = (await second.Dataspace.AddAsync(Lamp("next"))).Item;

        Assert.Equal(kept, await second.Dataspace.GetAsync(kept.Id), ItemStateComparer.Instance);
        Assert.Equal(kept.Revision + 1, next.Revision);
    }
}

public sealed class SqliteDataspaceTests : DataspaceContractTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresDataspaceTests(PostgresFixture postgres) : DataspaceContractTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync(postgres);
}
