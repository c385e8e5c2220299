using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Equip.Tests.Api;

/// GET /api/items?atRevision=R (docs/rest-api.md, "Items as they were"): at every revision the
/// answer is the state the event log describes, with the pattern and paging of a live query; it
/// stays so after the log is pruned, and answers 410 below the retained log.
public abstract class ItemsAtRevisionTests
{
    protected abstract Task<TestStore> CreateStoreAsync();

    [Fact]
    public async Task AtEveryRevisionTheItemsAreAsTheEventsLeftThemAndStaySoAfterPruning()
    {
        using var store = (await CreateStoreAsync())
            .With("Equip:ChangeLog:RetainCount", "6")
            .With("Equip:ChangeLog:PruneInterval", "00:00:01");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var server = new EquipServer(store, time);
        using var http = server.NewClient();
        var lamp = await AddAsync(http, "demo.Lamp", new { room = "hall", level = 1 });
        var door = await AddAsync(http, "demo.Door", new { room = "hall", open = false });
        await PutAsync(http, lamp, "demo.Lamp", new { room = "hall", level = 2 });
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/items/{door}")).StatusCode);
        var fan = await AddAsync(http, "demo.Fan", new { room = "attic" });
        await PutAsync(http, lamp, "demo.Lamp", new { room = "attic", level = 3 });
        var still = await AddAsync(http, "demo.Lamp", new { room = "hall", level = 9 }); // never changed again
        for (var i = 0; i < 5; i++)
        {
            await PutAsync(http, fan, "demo.Fan", new { room = "attic", speed = i });
        }

        var events = (await http.GetFromJsonAsync<JsonElement>("/api/events?after=0&limit=1000")).GetProperty("events").EnumerateArray().ToList();
        var current = events[^1].GetProperty("revision").GetInt64();
        var before = new Dictionary<long, string>();
        for (var revision = 0L; revision <= current; revision++)
        {
            var answer = await AtAsync(http, revision);
            Assert.Equal(Replayed(events, revision), answer);
            before[revision] = answer;
        }
        Assert.Equal(Describe(await http.GetFromJsonAsync<JsonElement>("/api/items?limit=1000")), before[current]);

        // The usual pattern and paging, in the past: the hall's lamps at the revision after the lamp's first update.
        var third = events[2].GetProperty("revision").GetInt64();
        var page1 = await http.GetFromJsonAsync<JsonElement>($"/api/items?type=demo.L*&field.room=hall&atRevision={third}&limit=1");
        Assert.Equal(1, page1.GetArrayLength());
        Assert.Equal(lamp, page1[0].GetProperty("id").GetGuid());
        Assert.Equal(2, page1[0].GetProperty("fields").GetProperty("level").GetInt32());
        var page2 = await http.GetFromJsonAsync<JsonElement>($"/api/items?type=demo.L*&field.room=hall&atRevision={third}&limit=1&after={lamp}");
        Assert.Equal(0, page2.GetArrayLength()); // the other hall lamp came later

        time.Advance(TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(async () => (await http.GetAsync("/api/events?after=0")).StatusCode == HttpStatusCode.Gone, "the log is pruned");
        var oldest = (await (await http.GetAsync("/api/events?after=0")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("oldestRetainedRevision").GetInt64();
        Assert.True(oldest > 5, $"pruned through {oldest - 1}");
        for (var revision = oldest - 1; revision <= current; revision++)
        {
            Assert.Equal(before[revision], await AtAsync(http, revision)); // the lamp's and the still lamp's pruned events still answer
        }
        var gone = await http.GetAsync($"/api/items?atRevision={oldest - 2}");
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Equal(oldest, (await gone.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("oldestRetainedRevision").GetInt64());
        Assert.Contains(still.ToString(), before[current]);
    }

    [Fact]
    public async Task ARevisionStillToComeOrBelowZeroIsRefused()
    {
        using var store = await CreateStoreAsync();
        using var server = new EquipServer(store);
        using var http = server.NewClient();
        await AddAsync(http, "demo.Lamp", new { level = 1 });
        var ahead = await http.GetAsync("/api/items?atRevision=99");
        Assert.Equal(HttpStatusCode.BadRequest, ahead.StatusCode);
        Assert.Contains("still to come", await ahead.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/items?atRevision=-1")).StatusCode);
        Assert.Equal("[]", await AtAsync(http, 0));
    }

    private static async Task<string> AtAsync(HttpClient http, long revision)
    {
        var response = await http.GetAsync($"/api/items?atRevision={revision}&limit=1000");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"at {revision}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return Describe(await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// The items the events through the revision describe, as AtAsync describes an answer.
    private static string Replayed(List<JsonElement> events, long revision)
    {
        var items = new Dictionary<Guid, JsonElement>();
        foreach (var change in events.Where(e => e.GetProperty("revision").GetInt64() <= revision))
        {
            var item = change.GetProperty("item");
            if (change.GetProperty("kind").GetString() == "deleted")
            {
                items.Remove(item.GetProperty("id").GetGuid());
            }
            else
            {
                items[item.GetProperty("id").GetGuid()] = item;
            }
        }
        return Describe(items.Values);
    }

    private static string Describe(JsonElement items) => Describe(items.EnumerateArray());

    private static string Describe(IEnumerable<JsonElement> items) =>
        "[" + string.Join(", ", items.OrderBy(i => i.GetProperty("id").GetGuid()).Select(i =>
            $"{i.GetProperty("id").GetGuid()}@{i.GetProperty("revision").GetInt64()} {i.GetProperty("type").GetString()} {i.GetProperty("fields").GetRawText()}")) + "]";

    private static async Task<Guid> AddAsync(HttpClient http, string type, object fields)
    {
        var added = await http.PostAsJsonAsync("/api/items", new { type, fields });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        return (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task PutAsync(HttpClient http, Guid id, string type, object fields) =>
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync($"/api/items/{id}", new { type, fields })).StatusCode);
}

public sealed class SqliteItemsAtRevisionTests : ItemsAtRevisionTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresItemsAtRevisionTests(PostgresFixture postgres) : ItemsAtRevisionTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync(postgres);
}
