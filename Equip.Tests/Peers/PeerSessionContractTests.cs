using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Tests.Support;

namespace Equip.Tests.Peers;

/// Peer sessions as the store keeps them, run once per provider, on a fake clock.
public abstract class PeerSessionContractTests : IAsyncLifetime
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);
    private readonly List<StoreHost> _hosts = [];
    private TestStore? _store;

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

    private async Task<StoreHost> StartAsync(string grace = "00:00:10", Microsoft.Extensions.Time.Testing.FakeTimeProvider? time = null)
    {
        var host = await StoreHost.StartAsync(_store!, time, ("Equip:Peers:DisconnectGrace", grace));
        _hosts.Add(host);
        return host;
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static Task<AddResult> AddAsync(StoreHost store, PeerActor by, bool processBound, string name = "x", TimeSpan? lease = null, Guid? id = null) =>
        store.Dataspace.AddAsync(new AddItem(id, "demo.Thing", Json($$"""{"name":"{{name}}"}"""), by.PeerId, processBound, lease, by));

    private static async Task<PeerView> PeerAsync(StoreHost store, string peerId) =>
        (await store.Peers.ListAsync()).Single(p => p.PeerId == peerId);

    private static Task<ChangeEvent> AdvanceUntilDeletedAsync(StoreHost store, Guid id, TimeSpan by) =>
        Wait.ForEventAsync(store.Feed, e => e.Item.Id == id && e.Kind == ChangeKind.Deleted,
            () => { store.Time.Advance(by); return Task.CompletedTask; });

    [Fact]
    public async Task AFirstRegistrationHasNoSessionAndListsThePeerAsConnected()
    {
        var store = await StartAsync();

        var registered = await store.Peers.RegisterAsync("lamp-1", "inc-a", "Hall lamp");

        Assert.False(registered.SessionPresent);
        Assert.Equal(new PeerActor("lamp-1", "inc-a", registered.Actor.Association), registered.Actor);
        var peer = await PeerAsync(store, "lamp-1");
        Assert.Equal(PeerState.Connected, peer.State);
        Assert.Equal("Hall lamp", peer.Name);
        var added = await AddAsync(store, registered.Actor, processBound: true);
        Assert.Equal("lamp-1", added.Item.Responsible);
    }

    [Fact]
    public async Task ProcessBoundItemsAreDeletedWithReasonBoundWhenTheGracePeriodEnds()
    {
        var store = await StartAsync();
        var actor = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        var bound = (await AddAsync(store, actor, processBound: true)).Item;
        var persistent = (await AddAsync(store, actor, processBound: false)).Item;

        await store.Peers.DisconnectAsync(actor);
        store.Time.Advance(Grace - TimeSpan.FromSeconds(1));

        Assert.Equal(PeerState.Reconnecting, (await PeerAsync(store, "lamp-1")).State);
        Assert.NotNull(await store.Dataspace.GetAsync(bound.Id));
        var deleted = await AdvanceUntilDeletedAsync(store, bound.Id, TimeSpan.FromSeconds(1.5));
        Assert.Equal(DeleteReason.Bound, deleted.Reason);
        Assert.NotNull(await store.Dataspace.GetAsync(persistent.Id));
        Assert.Equal(PeerState.Gone, (await PeerAsync(store, "lamp-1")).State);
        await Assert.ThrowsAsync<StaleIncarnationException>(() => AddAsync(store, actor, processBound: false));
    }

    [Fact]
    public async Task TheSameIncarnationReturningWithinTheGracePeriodFindsItsSessionAndLosesNothing()
    {
        var store = await StartAsync();
        var actor = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        var bound = (await AddAsync(store, actor, processBound: true)).Item;
        await store.Peers.DisconnectAsync(actor);
        store.Time.Advance(Grace / 2);

        var again = await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp");
        store.Time.Advance(Grace * 2);
        var marker = await Wait.ForEventAsync(store.Feed, e => e.Kind == ChangeKind.Deleted, async () =>
        {
            // A second peer's expiry proves the reaper ran after the first one's grace would have ended.
            var other = (await store.Peers.RegisterAsync("other", "inc-o", "other")).Actor;
            await AddAsync(store, other, processBound: true);
            await store.Peers.DisconnectAsync(other);
            store.Time.Advance(Grace + TimeSpan.FromSeconds(1));
        });

        Assert.True(again.SessionPresent);
        Assert.Equal("other", marker.Item.Responsible);
        Assert.NotNull(await store.Dataspace.GetAsync(bound.Id));
        Assert.Equal(PeerState.Connected, (await PeerAsync(store, "lamp-1")).State);
    }

    [Fact]
    public async Task ANewIncarnationEndsTheOldOneAtOnceAndFencesItsWrites()
    {
        var store = await StartAsync();
        var old = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        var bound = (await AddAsync(store, old, processBound: true)).Item;
        var persistent = (await AddAsync(store, old, processBound: false)).Item;

        var restarted = await store.Peers.RegisterAsync("lamp-1", "inc-b", "lamp");

        Assert.False(restarted.SessionPresent);
        var events = (await store.Dataspace.ReadChangesAsync(persistent.Revision, 10)).Events;
        Assert.Equal(DeleteReason.Bound, Assert.Single(events).Reason);
        Assert.Null(await store.Dataspace.GetAsync(bound.Id));
        Assert.NotNull(await store.Dataspace.GetAsync(persistent.Id));
        await Assert.ThrowsAsync<StaleIncarnationException>(() => AddAsync(store, old, processBound: false));
        await Assert.ThrowsAsync<StaleIncarnationException>(() => store.Dataspace.DeleteAsync(new DeleteItem(persistent.Id, By: old)));
        await AddAsync(store, restarted.Actor, processBound: true);
    }

    [Fact]
    public async Task EveryCommittedTransitionIsPublishedInOrderAndALateSubscriberGetsTheHistoryFirst()
    {
        var store = await StartAsync();
        var live = new List<PeerTransition>();
        using var subscription = store.PeerFeed.Subscribe(t => { lock (live) { live.AddRange(t); } });

        var first = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        await store.Peers.DisconnectAsync(first);
        var second = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        await store.Peers.DisconnectAsync(second);
        await Wait.UntilAsync(() =>
        {
            store.Time.Advance(TimeSpan.FromSeconds(1));
            lock (live)
            {
                return Task.FromResult(live.Any(t => t is { PeerId: "lamp-1", To: PeerState.Gone }));
            }
        }, "the session ends after the grace period");
        await store.Peers.RegisterAsync("lamp-1", "inc-b", "lamp");
        var late = new List<PeerTransition>();
        using var lateSubscription = store.PeerFeed.Subscribe(late.AddRange);

        var expected = new (PeerState? From, PeerState To, bool NewIncarnation)[]
        {
            (null, PeerState.Connected, true),
            (PeerState.Connected, PeerState.Reconnecting, false),
            (PeerState.Reconnecting, PeerState.Connected, false),
            (PeerState.Connected, PeerState.Reconnecting, false),
            (PeerState.Reconnecting, PeerState.Gone, false),
            (PeerState.Gone, PeerState.Connected, true),
        };
        Assert.Equal(expected, live.Where(t => t.PeerId == "lamp-1").Select(t => (t.From, t.To, t.NewIncarnation)));
        Assert.Equal(live.Where(t => t.PeerId == "lamp-1"), late.Where(t => t.PeerId == "lamp-1"));
        Assert.Equal("inc-b", late.Last(t => t.PeerId == "lamp-1").Incarnation);
    }

    [Fact]
    public async Task TheEndOfAReplacedAssociationOfTheSameIncarnationChangesNothing()
    {
        var store = await StartAsync();
        var first = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        var second = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;

        await store.Peers.DisconnectAsync(first);
        await store.Peers.EndAsync(first);

        Assert.NotEqual(first.Association, second.Association);
        Assert.Equal(PeerState.Connected, (await PeerAsync(store, "lamp-1")).State);
        await AddAsync(store, first, processBound: false); // same incarnation: still speaks for the peer
    }

    [Fact]
    public async Task AZeroGracePeriodDeletesProcessBoundItemsAsSoonAsTheAssociationEnds()
    {
        var store = await StartAsync(grace: "00:00:00");
        var actor = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        var bound = (await AddAsync(store, actor, processBound: true)).Item;

        await store.Peers.DisconnectAsync(actor);

        Assert.Null(await store.Dataspace.GetAsync(bound.Id));
        Assert.Equal(PeerState.Gone, (await PeerAsync(store, "lamp-1")).State);
    }

    [Fact]
    public async Task SyncCompleteDeletesWhatWasNotReassertedKeepsNewerVersionsAndAddsMissingItems()
    {
        var store = await StartAsync();
        var first = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        var kept = (await AddAsync(store, first, processBound: false, "kept")).Item;
        var dropped = (await AddAsync(store, first, processBound: false, "dropped")).Item;
        var changedHere = (await AddAsync(store, first, processBound: false, "v1")).Item;
        var changedThere = (await AddAsync(store, first, processBound: false, "v1")).Item;
        var newerOnServer = await store.Dataspace.UpdateAsync(new UpdateItem(changedThere.Id, null, Json("""{"name":"server"}""")));
        await store.Peers.DisconnectAsync(first);

        var second = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        var missing = Guid.NewGuid();
        var reasserted = await store.Peers.ReassertAsync(second,
        [
            new ReassertedItem(kept.Id, kept.Type, kept.Fields, false, null, kept.Revision),
            new ReassertedItem(changedHere.Id, changedHere.Type, Json("""{"name":"v2"}"""), false, null, changedHere.Revision),
            new ReassertedItem(changedThere.Id, changedThere.Type, Json("""{"name":"peer"}"""), false, null, changedThere.Revision),
            new ReassertedItem(missing, "demo.Thing", Json("""{"name":"new"}"""), true, null, 0),
        ]);
        var swept = await store.Peers.SyncCompleteAsync(second);

        Assert.Equal(1, swept);
        Assert.Null(await store.Dataspace.GetAsync(dropped.Id));
        Assert.Equal(kept.Revision, (await store.Dataspace.GetAsync(kept.Id))!.Revision);
        Assert.Equal("v2", (await store.Dataspace.GetAsync(changedHere.Id))!.Fields.GetProperty("name").GetString());
        Assert.Equal(newerOnServer.Revision, (await store.Dataspace.GetAsync(changedThere.Id))!.Revision);
        var added = await store.Dataspace.GetAsync(missing);
        Assert.Equal("lamp-1", added!.Responsible);
        Assert.True(added.ProcessBound);
        Assert.Equal(4, reasserted.Count);
    }

    [Fact]
    public async Task RegistrationCutsLeasesToTheReconnectWindowAndReassertionRestoresThem()
    {
        var store = await StartAsync();
        var first = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        var lease = TimeSpan.FromHours(1);
        var reasserted = (await AddAsync(store, first, processBound: false, "a", lease)).Item;
        var forgotten = (await AddAsync(store, first, processBound: false, "b", lease)).Item;

        var second = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        var now = store.Time.GetUtcNow();
        Assert.True((await store.Dataspace.GetAsync(forgotten.Id))!.LeaseExpiresAt <= now + TimeSpan.FromSeconds(30));
        var renewed = (await store.Peers.ReassertAsync(second, [new ReassertedItem(reasserted.Id, reasserted.Type, reasserted.Fields, false, null, reasserted.Revision)])).Single();

        var expired = await AdvanceUntilDeletedAsync(store, forgotten.Id, TimeSpan.FromSeconds(31));
        Assert.Equal(DeleteReason.LeaseExpired, expired.Reason);
        Assert.True(renewed.LeaseExpiresAt >= now + lease - TimeSpan.FromSeconds(1));
        Assert.NotNull(await store.Dataspace.GetAsync(reasserted.Id));
    }

    [Fact]
    public async Task AfterARestartKnownPeersAreReconnectingFromStartUpAndEndAfterTheGracePeriod()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var before = await StartAsync(time: time);
        var actor = (await before.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        var bound = (await AddAsync(before, actor, processBound: true)).Item;
        await before.DisposeAsync();
        _hosts.Remove(before);
        time.Advance(TimeSpan.FromMinutes(5));

        var after = await StartAsync(time: time);

        var peer = await PeerAsync(after, "lamp-1");
        Assert.Equal(PeerState.Reconnecting, peer.State);
        Assert.NotNull(await after.Dataspace.GetAsync(bound.Id));
        var deleted = await AdvanceUntilDeletedAsync(after, bound.Id, Grace + TimeSpan.FromSeconds(1));
        Assert.Equal(DeleteReason.Bound, deleted.Reason);
    }

    [Fact]
    public async Task AReplacedIncarnationCannotComeBackAndEndTheNewerOne()
    {
        var store = await StartAsync();
        await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp");
        var newer = (await store.Peers.RegisterAsync("lamp-1", "inc-b", "lamp")).Actor;

        await Assert.ThrowsAsync<StaleIncarnationException>(() => store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp"));

        var peer = await PeerAsync(store, "lamp-1");
        Assert.Equal("inc-b", peer.Incarnation);
        Assert.Equal(PeerState.Connected, peer.State);
        await AddAsync(store, newer, processBound: false);
    }

    /// A process cut off while its device was replaced and restarted twice never heard it was
    /// fenced; when its network returns it must not end the live one (the store keeps the list).
    [Fact]
    public async Task IncarnationsReplacedSeveralRestartsAgoCannotComeBackEvenAfterAServerRestart()
    {
        var before = await StartAsync();
        await before.Peers.RegisterAsync("lamp-1", "inc-a", "lamp");
        await before.Peers.RegisterAsync("lamp-1", "inc-b", "lamp");
        await before.Peers.RegisterAsync("lamp-1", "inc-c", "lamp");
        await before.DisposeAsync();
        _hosts.Remove(before);

        var after = await StartAsync();
        foreach (var stale in new[] { "inc-a", "inc-b" })
        {
            await Assert.ThrowsAsync<StaleIncarnationException>(() => after.Peers.RegisterAsync("lamp-1", stale, "lamp"));
        }
        Assert.Equal("inc-c", (await PeerAsync(after, "lamp-1")).Incarnation);
        Assert.True((await after.Peers.RegisterAsync("lamp-1", "inc-c", "lamp")).SessionPresent);
    }

    [Fact]
    public async Task ReassertionRestoresItemsRemovedWithTheSessionButNotItemsSomeoneDeleted()
    {
        var store = await StartAsync(grace: "00:00:00");
        var first = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        var bound = (await AddAsync(store, first, processBound: true, "bound")).Item;
        var deleted = (await AddAsync(store, first, processBound: false, "deleted")).Item;
        await store.Peers.DisconnectAsync(first);
        await store.Dataspace.DeleteAsync(new DeleteItem(deleted.Id));

        var second = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        var stored = await store.Peers.ReassertAsync(second,
        [
            new ReassertedItem(bound.Id, bound.Type, bound.Fields, true, null, bound.Revision),
            new ReassertedItem(deleted.Id, deleted.Type, deleted.Fields, false, null, deleted.Revision),
        ]);

        Assert.Equal([bound.Id], stored.Select(i => i.Id));
        Assert.NotNull(await store.Dataspace.GetAsync(bound.Id));
        Assert.Null(await store.Dataspace.GetAsync(deleted.Id));
    }

    [Fact]
    public async Task AnyWriteByTheResponsiblePeerAfterRegisteringCountsAsAnAssertion()
    {
        var store = await StartAsync();
        var first = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        var updated = (await AddAsync(store, first, processBound: false, "updated")).Item;
        var renewed = (await AddAsync(store, first, processBound: false, "renewed", TimeSpan.FromMinutes(5))).Item;
        var untouched = (await AddAsync(store, first, processBound: false, "untouched")).Item;

        var second = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        await store.Dataspace.UpdateAsync(new UpdateItem(updated.Id, null, Json("""{"name":"again"}"""), By: second));
        await store.Dataspace.RenewLeaseAsync(new RenewLease(renewed.Id, By: second));
        var swept = await store.Peers.SyncCompleteAsync(second);

        Assert.Equal(1, swept);
        Assert.NotNull(await store.Dataspace.GetAsync(updated.Id));
        Assert.NotNull(await store.Dataspace.GetAsync(renewed.Id));
        Assert.Null(await store.Dataspace.GetAsync(untouched.Id));
    }

    [Fact]
    public async Task SyncCompleteOfANewIncarnationKeepsThePersistentItemsOfTheProcessBeforeIt()
    {
        var store = await StartAsync();
        var first = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        var persistent = (await AddAsync(store, first, processBound: false, "persistent")).Item;
        var bound = (await AddAsync(store, first, processBound: true, "bound")).Item;

        var restarted = (await store.Peers.RegisterAsync("lamp-1", "inc-b", "lamp")).Actor;
        var swept = await store.Peers.SyncCompleteAsync(restarted);

        Assert.Equal(0, swept);
        Assert.NotNull(await store.Dataspace.GetAsync(persistent.Id));
        Assert.Null(await store.Dataspace.GetAsync(bound.Id));
    }

    [Fact]
    public async Task SyncCompleteSweepsOnlyWhatThisIncarnationAssertedBeforeAndNotSince()
    {
        var store = await StartAsync();
        var earlier = (await store.Peers.RegisterAsync("lamp-1", "inc-a", "lamp")).Actor;
        var fromEarlierProcess = (await AddAsync(store, earlier, processBound: false, "earlier")).Item;
        var first = (await store.Peers.RegisterAsync("lamp-1", "inc-b", "lamp")).Actor;
        var kept = (await AddAsync(store, first, processBound: false, "kept")).Item;
        var letGo = (await AddAsync(store, first, processBound: false, "let go")).Item;
        await store.Peers.DisconnectAsync(first);

        var second = (await store.Peers.RegisterAsync("lamp-1", "inc-b", "lamp")).Actor;
        await store.Peers.ReassertAsync(second, [new ReassertedItem(kept.Id, kept.Type, kept.Fields, false, null, kept.Revision)]);
        var swept = await store.Peers.SyncCompleteAsync(second);

        Assert.Equal(1, swept);
        Assert.Null(await store.Dataspace.GetAsync(letGo.Id));
        Assert.NotNull(await store.Dataspace.GetAsync(kept.Id));
        Assert.NotNull(await store.Dataspace.GetAsync(fromEarlierProcess.Id));
    }

    [Fact]
    public async Task InvalidRegistrationsAreRefused()
    {
        var store = await StartAsync();

        await Assert.ThrowsAsync<InvalidPeerException>(() => store.Peers.RegisterAsync("", "inc", "x"));
        await Assert.ThrowsAsync<InvalidPeerException>(() => store.Peers.RegisterAsync("p", " ", "x"));
        await Assert.ThrowsAsync<InvalidPeerException>(() => store.Peers.RegisterAsync(new string('p', 300), "inc", "x"));
        Assert.Empty(await store.Peers.ListAsync());
    }
}

public sealed class SqlitePeerSessionTests : PeerSessionContractTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresPeerSessionTests(PostgresFixture postgres) : PeerSessionContractTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync(postgres);
}
