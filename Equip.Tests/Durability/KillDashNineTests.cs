using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Testing;
using Equip.Tests.Support;

namespace Equip.Tests.Durability;

/// The server runs as its own process; it is killed with SIGKILL while 16 clients write, then
/// restarted on the same store, where every write it acknowledged must be found.
public abstract class KillDashNineTests
{
    private const int Clients = 16;
    private const string ProbeType = "durability.Probe";

    protected abstract Task<TestStore> CreateStoreAsync();

    [Fact]
    public async Task EveryAcknowledgedWriteSurvivesAKillDashNineDuringConcurrentWrites()
    {
        using var store = await CreateStoreAsync();
        var acknowledged = new ConcurrentBag<(Guid Id, long Revision)>();
        await using (var server = await ServerProcess.StartAsync(store.Settings, store.DataDirectory))
        {
            var writers = Enumerable.Range(0, Clients).Select(c => Task.Run(() => WriteUntilTheServerDiesAsync(server.Address, c, acknowledged))).ToList();
            await Wait.UntilAsync(() => Task.FromResult(acknowledged.Count >= 400), "400 writes are acknowledged");

            await server.KillAsync();
            await Task.WhenAll(writers).WaitAsync(Wait.Timeout);
        }

        await using var restarted = await ServerProcess.StartAsync(store.Settings, store.DataDirectory);
        using var http = TestHttp.Client(restarted.Address, Wait.Timeout);
        var stored = await ReadAllProbesAsync(http);
        var missing = acknowledged.Where(a => !stored.ContainsKey(a.Id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged writes were lost.");
        Assert.All(acknowledged, a => Assert.Equal(a.Revision, stored[a.Id]));

        var log = await http.GetFromJsonAsync<JsonElement>("/api/events?after=0&limit=1000");
        var maxRevision = stored.Values.Max();
        Assert.True(log.GetProperty("currentRevision").GetInt64() >= maxRevision);
        var next = await http.PostAsJsonAsync("/api/items", new { type = ProbeType, fields = new { after = "restart" } });
        var nextItem = await next.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(nextItem.GetProperty("revision").GetInt64() > maxRevision);
    }

    private static async Task WriteUntilTheServerDiesAsync(Uri address, int client, ConcurrentBag<(Guid, long)> acknowledged)
    {
        using var http = TestHttp.Client(address, TimeSpan.FromSeconds(10));
        for (var n = 0; ; n++)
        {
            var id = Guid.NewGuid();
            HttpResponseMessage response;
            try
            {
                response = await http.PostAsJsonAsync("/api/items", new { id, type = ProbeType, fields = new { client, n } });
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return; // the server is gone; this write was never acknowledged
            }
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var item = await response.Content.ReadFromJsonAsync<JsonElement>();
            acknowledged.Add((id, item.GetProperty("revision").GetInt64()));
        }
    }

    private static async Task<Dictionary<Guid, long>> ReadAllProbesAsync(HttpClient http)
    {
        var stored = new Dictionary<Guid, long>();
        var url = $"/api/items?type={ProbeType}&limit=1000";
        while (true)
        {
            var page = (await http.GetFromJsonAsync<JsonElement[]>(url))!;
            foreach (var item in page)
            {
                stored[item.GetProperty("id").GetGuid()] = item.GetProperty("revision").GetInt64();
            }
            if (page.Length < 1000)
            {
                return stored;
            }
            url = $"/api/items?type={ProbeType}&limit=1000&after={page[^1].GetProperty("id").GetGuid()}";
        }
    }
}

public sealed class SqliteKillDashNineTests : KillDashNineTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresKillDashNineTests(PostgresFixture postgres) : KillDashNineTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync(postgres);
}
