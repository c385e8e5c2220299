using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Testing;
using Equip.Tests.Support;

namespace Equip.Tests.Durability;

/// The retained log counts events, not revisions: the revisions a crash skips (up to the ceiling
/// the last commit stored, at least 100,000 above it) take no room in it, so the events before the
/// gap stay as long as they are among the newest RetainCount. The items as they were before the
/// crash stay readable (atRevision) after their events are pruned.
public abstract class RetentionAcrossCrashTests
{
    protected abstract Task<TestStore> CreateStoreAsync();

    [Fact]
    public async Task EventsBeforeACrashGapStayAmongTheNewestRetainCount()
    {
        using var store = (await CreateStoreAsync())
            .With("Equip:ChangeLog:RetainCount", "4")
            .With("Equip:ChangeLog:PruneInterval", "00:00:00.200");
        var before = new List<long>();
        await using (var server = await ServerProcess.StartAsync(store.Settings, store.DataDirectory))
        {
            using var http = TestHttp.Client(server.Address, Wait.Timeout);
            for (var n = 0; n < 3; n++)
            {
                before.Add(await AddAsync(http, n));
            }
            await server.KillAsync();
        }

        await using var restarted = await ServerProcess.StartAsync(store.Settings, store.DataDirectory);
        using var client = TestHttp.Client(restarted.Address, Wait.Timeout);
        var after = new List<long>();
        for (var n = 3; n < 6; n++)
        {
            after.Add(await AddAsync(client, n));
        }
        Assert.True(after[0] > before[^1] + 100_000, $"the crash left a gap ({before[^1]} to {after[0]})");

        // Six events; the newest four are kept: one from before the crash and the three after it.
        await Wait.UntilAsync(async () => (await client.GetAsync($"/api/events?after={before[0]}")).StatusCode == HttpStatusCode.Gone, "the log is pruned");
        var gone = await (await client.GetAsync($"/api/events?after={before[0]}")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(before[1] + 1, gone.GetProperty("oldestRetainedRevision").GetInt64());
        var page = await client.GetFromJsonAsync<JsonElement>($"/api/events?after={before[1]}");
        Assert.Equal([before[2], .. after], page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("revision").GetInt64()));
        var gap = Assert.Single(page.GetProperty("gaps").EnumerateArray());
        Assert.Equal(before[2], gap.GetProperty("after").GetInt64());
        Assert.Equal(after[0] - 1, gap.GetProperty("through").GetInt64());

        // The installation as it was: just before the crash, all three items made before it (two of
        // them from events pruned since, kept as their items' latest states); inside the gap, 410.
        Assert.Equal(new[] { 0, 1, 2 }, await NumbersAtAsync(client, before[2]));
        Assert.Equal(HttpStatusCode.Gone, (await client.GetAsync($"/api/items?type=retention.Probe&atRevision={before[2] + 1}")).StatusCode);
        Assert.Equal(new[] { 0, 1, 2, 3 }, await NumbersAtAsync(client, after[0]));
    }

    private static async Task<int[]> NumbersAtAsync(HttpClient http, long revision) =>
        [.. (await http.GetFromJsonAsync<JsonElement[]>($"/api/items?type=retention.Probe&atRevision={revision}"))!
            .Select(i => i.GetProperty("fields").GetProperty("n").GetInt32()).Order()];

    private static async Task<long> AddAsync(HttpClient http, int n)
    {
        var response = await http.PostAsJsonAsync("/api/items", new { type = "retention.Probe", fields = new { n } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revision").GetInt64();
    }
}

public sealed class SqliteRetentionAcrossCrashTests : RetentionAcrossCrashTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresRetentionAcrossCrashTests(PostgresFixture postgres) : RetentionAcrossCrashTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync(postgres);
}
