using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Protocol;

namespace Equip.Bench.Scenarios;

/// How long the installation as it was takes to read (GET /api/items?atRevision=R, the dashboard's
/// time control reads the same): 1,000 components with two properties each, then durable
/// updates of the properties until 100,000 more events are logged; the read at 10,000 and 100,000 events
/// back, as one page of 1,000 items and as the whole installation (three pages), beside a read of
/// the present.
internal static class TimeTravel
{
    private const int Components = 1000;
    private const int PropertiesEach = 2;

    public static async Task<IEnumerable<object>> RunAsync(BenchServer server, int eventsBack = 100_000)
    {
        var type = $"bench.tt{Guid.NewGuid():N}"[..20];
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", BenchKey.Value);
        // Added by the device that sets their values: it is responsible for them.
        await using var device = new EquipClient(new EquipClientOptions { Server = server.Address, Key = BenchKey.Value, PeerId = $"bench-{type}", UseMessagePack = true });
        device.Start();
        await device.WaitUntilConnectedAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var properties = new List<Guid>();
        foreach (var chunk in Enumerable.Range(0, Components).Chunk(50))
        {
            var made = await Task.WhenAll(chunk.Select(async c =>
            {
                await AddAsync(device, $"{type}.Component", new { component = c });
                return await Task.WhenAll(Enumerable.Range(0, PropertiesEach).Select(p => AddAsync(device, $"{type}.Property", new { component = c, property = p, value = 0 })));
            }));
            properties.AddRange(made.SelectMany(m => m));
        }
        var start = await CurrentRevisionAsync(http);
        Report.Progress($"time-travel: {properties.Count + Components} items at revision {start}; setting values until {eventsBack:N0} events are logged");
        // Durable updates: a value set through the value lane may be squashed by the next one
        // before it is stored, so revisions would outrun events.
        var n = 0;
        while (n < eventsBack + 1000)
        {
            await Task.WhenAll(Enumerable.Range(0, 2000).Select(_ =>
            {
                var i = n++;
                return device.UpdateAsync(new UpdateRequest { Id = properties[i % properties.Count], Fields = JsonSerializer.SerializeToElement(new { value = i }) });
            }));
        }
        var events = await EventsAfterAsync(http, start);
        var current = events[^1];
        var results = new List<object>();
        foreach (var back in new[] { 0, 10_000, eventsBack })
        {
            var revision = back == 0 ? current : events[^(back + 1)]; // exactly that many events after it
            var query = back == 0 ? $"/api/items?type={type}.*" : $"/api/items?type={type}.*&atRevision={revision}";
            await ReadAllAsync(http, query); // warm
            var page = Stopwatch.StartNew();
            using (var first = await http.GetAsync($"{query}&limit=1000"))
            {
                first.EnsureSuccessStatusCode();
            }
            var pageMs = page.Elapsed.TotalMilliseconds;
            var whole = Stopwatch.StartNew();
            var items = await ReadAllAsync(http, query);
            results.Add(new
            {
                scenario = "time-travel",
                system = "equip",
                store = server.Store,
                items,
                eventsBack = back,
                firstPageMs = Math.Round(pageMs, 1),
                wholeInstallationMs = Math.Round(whole.Elapsed.TotalMilliseconds, 1),
            });
        }
        return results;
    }

    private static async Task<int> ReadAllAsync(HttpClient http, string query)
    {
        var count = 0;
        Guid? after = null;
        while (true)
        {
            var page = await http.GetFromJsonAsync<JsonElement[]>($"{query}&limit=1000{(after is { } a ? $"&after={a}" : "")}") ?? [];
            count += page.Length;
            if (page.Length < 1000)
            {
                return count;
            }
            after = page[^1].GetProperty("id").GetGuid();
        }
    }

    /// The revisions of the events logged after the revision.
    private static async Task<List<long>> EventsAfterAsync(HttpClient http, long after)
    {
        var revisions = new List<long>();
        while (true)
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/api/events?after={after}&limit=1000");
            revisions.AddRange(page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("revision").GetInt64()));
            if (page.GetProperty("events").GetArrayLength() < 1000)
            {
                return revisions;
            }
            after = revisions[^1];
        }
    }

    private static async Task<long> CurrentRevisionAsync(HttpClient http)
    {
        var page = await http.GetFromJsonAsync<JsonElement>("/api/events?after=0&limit=1");
        return page.GetProperty("currentRevision").GetInt64();
    }

    private static async Task<Guid> AddAsync(EquipClient device, string type, object fields) =>
        (await device.AddAsync(new AddRequest { Type = type, Fields = JsonSerializer.SerializeToElement(fields) })).Id;
}
