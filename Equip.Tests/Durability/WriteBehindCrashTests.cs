using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Protocol;
using Equip.Testing;
using Equip.Tests.Support;

namespace Equip.Tests.Durability;

/// Values written behind are published before they are stored. The server is killed with
/// SIGKILL while a device sends them as fast as it can and a subscriber follows them; on the
/// restarted server no revision the subscriber saw is handed out again, and the subscriber,
/// resuming from the last revision it saw, ends with the items as the server has them. (The
/// flush interval is long, so that what the subscriber saw last was not stored yet when the
/// server died: a flush runs beside the writer and would otherwise often have caught up.)
public abstract class WriteBehindCrashTests
{
    protected abstract Task<TestStore> CreateStoreAsync();

    [Fact]
    public async Task NoRevisionASubscriberSawIsReusedAfterAKillDashNineAndItsResumeCatchesUp()
    {
        using var store = (await CreateStoreAsync()).With("Equip:Database:FlushInterval", "00:00:30");
        var replica = new Dictionary<Guid, WireItem>();
        long seen;
        long committed; // the persistent add's revision: stored before the load begins
        await using (var server = await ServerProcess.StartAsync(store.Settings, store.DataDirectory))
        {
            var (device, _) = await HubClient.RegisterAsync(server.Address, "loader", "run-1");
            await using var _device = device;
            var bound = await device.InvokeAsync<WireItem>("Add", new AddRequest { Type = "load.Value", Fields = Json(0), ProcessBound = true });
            var persistent = await device.InvokeAsync<WireItem>("Add", new AddRequest { Type = "load.Setting", Fields = Json(0) });
            committed = persistent.Revision;
            var (watcher, _) = await HubClient.RegisterAsync(server.Address, "watcher", "run-1");
            await using var _watcher = watcher;
            await watcher.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest { SubscriptionId = "load", Pattern = new WirePattern { Type = "load.*" } });
            seen = Apply(replica, await watcher.ReceiveAsync());

            using var stop = new CancellationTokenSource();
            var load = Task.Run(async () =>
            {
                for (var n = 1; !stop.IsCancellationRequested; n++)
                {
                    try
                    {
                        await Task.WhenAll(
                            device.InvokeAsync<WireItem>("Update", new UpdateRequest { Id = bound.Id, Fields = Json(n), Unreliable = true }),
                            device.InvokeAsync<WireItem>("Update", new UpdateRequest { Id = persistent.Id, Fields = Json(n), Unreliable = true }));
                    }
                    catch (Exception)
                    {
                        return; // the server is gone
                    }
                }
            });
            var started = seen;
            while (seen < started + 2000)
            {
                seen = Math.Max(seen, Apply(replica, await watcher.ReceiveAsync()));
            }
            await server.KillAsync();
            await stop.CancelAsync();
            await load.WaitAsync(Wait.Timeout);
            while (watcher.TryReceive(out var late))
            {
                seen = Math.Max(seen, Apply(replica, late!));
            }
        }

        await using var restarted = await ServerProcess.StartAsync(store.Settings, store.DataDirectory);
        using var http = TestHttp.Client(restarted.Address, Wait.Timeout);
        var next = await http.PostAsJsonAsync("/api/items", new { type = "load.Marker", fields = new { after = "restart" } });
        var marker = await next.Content.ReadFromJsonAsync<WireItem>();
        Assert.True(marker!.Revision > seen, $"the first write after the restart took revision {marker.Revision}, one the subscriber may have seen (it saw up to {seen})");

        var events = await http.GetAsync($"/api/events?after={seen}");
        Assert.Equal(HttpStatusCode.Gone, events.StatusCode); // changes after it may be lost: read a snapshot instead

        // A reader from before the crash is told where the revisions jump, and why.
        var across = (await http.GetFromJsonAsync<JsonElement>($"/api/events?after={committed}&limit=1000"))!;
        var gap = Assert.Single(across.GetProperty("gaps").EnumerateArray());
        var (after, through) = (gap.GetProperty("after").GetInt64(), gap.GetProperty("through").GetInt64());
        Assert.InRange(seen, after + 1, through);
        Assert.All(across.GetProperty("events").EnumerateArray(), e => Assert.False(e.GetProperty("revision").GetInt64() is var r && r > after && r <= through));
        Assert.Contains(across.GetProperty("events").EnumerateArray(), e => e.GetProperty("revision").GetInt64() == marker.Revision);

        var (resumed, _) = await HubClient.RegisterAsync(restarted.Address, "watcher", "run-1");
        await using var _resumed = resumed;
        await resumed.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest { SubscriptionId = "load", Pattern = new WirePattern { Type = "load.*" }, FromRevision = seen });
        var first = await resumed.ReceiveAsync<SnapshotMessage>();
        Assert.True(first.Resynchronised);
        Apply(replica, first);
        var stored = (await http.GetFromJsonAsync<WireItem[]>("/api/items?type=load.*&limit=1000"))!;
        Assert.Equal(stored.OrderBy(i => i.Id).Select(Describe), replica.Values.OrderBy(i => i.Id).Select(Describe));
    }

    private static JsonElement Json(int n) => JsonSerializer.SerializeToElement(new { n });

    private static string Describe(WireItem item) => $"{item.Id} {item.Type} r{item.Revision} {item.Fields.GetRawText()}";

    /// Applies a Snapshot or Changes message to the replica; the highest revision it carries.
    private static long Apply(Dictionary<Guid, WireItem> replica, object message)
    {
        switch (message)
        {
            case SnapshotMessage snapshot:
                replica.Clear();
                foreach (var item in snapshot.Items)
                {
                    replica[item.Id] = item;
                }
                return snapshot.Revision;
            case ChangesMessage changes:
                foreach (var change in changes.Events)
                {
                    if (change.Kind == "deleted" || !change.Matches)
                    {
                        replica.Remove(change.Item.Id);
                    }
                    else
                    {
                        replica[change.Item.Id] = change.Item;
                    }
                }
                return changes.Events.Max(e => e.Revision);
            default:
                throw new InvalidOperationException($"Unexpected message {message}.");
        }
    }
}

public sealed class SqliteWriteBehindCrashTests : WriteBehindCrashTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresWriteBehindCrashTests(PostgresFixture postgres) : WriteBehindCrashTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync(postgres);
}
