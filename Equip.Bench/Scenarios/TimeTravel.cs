using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;

namespace Equip.Bench.Scenarios;

/// How long the installation as it was takes to read (GET /api/items?atRevision=R, the dashboard's
/// time control reads the same): 1,000 components with two properties each, then values set
/// through the value lane until 100,000 events are logged; the read at 10,000 and 100,000 events
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
        var properties = new List<Guid>();
        foreach (var chunk in Enumerable.Range(0, Components).Chunk(50))
        {
            var made = await Task.WhenAll(chunk.Select(async c =>
            {
                await PostAsync(http, $"{type}.Component", new { component = c });
                return await Task.WhenAll(Enumerable.Range(0, PropertiesEach).Select(p => PostAsync(http, $"{type}.Property", new { component = c, property = p, value = 0 })));
            }));
            properties.AddRange(made.SelectMany(m => m));
        }
        await using var device = new EquipClient(new EquipClientOptions { Server = server.Address, Key = BenchKey.Value, PeerId = $"bench-{type}", UseMessagePack = true });
        device.Start();
        await device.WaitUntilConnectedAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var start = await CurrentRevisionAsync(http);
        Report.Progress($"time-travel: {properties.Count + Components} items at revision {start}; setting values until {eventsBack:N0} events are logged");
        var n = 0;
        while (await CurrentRevisionAsync(http) - start < eventsBack + 1000)
        {
            var batch = Enumerable.Range(0, 2000).Select(_ => device.SetValueAsync(properties[n++ % properties.Count], JsonSerializer.SerializeToElement(n)));
            await Task.WhenAll(batch);
        }
        var current = await CurrentRevisionAsync(http);
        var results = new List<object>();
        foreach (var back in new[] { 0, 10_000, eventsBack })
        {
            var revision = current - back;
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

    private static async Task<long> CurrentRevisionAsync(HttpClient http)
    {
        var page = await http.GetFromJsonAsync<JsonElement>("/api/events?after=0&limit=1");
        return page.GetProperty("currentRevision").GetInt64();
    }

    private static async Task<Guid> PostAsync(HttpClient http, string type, object fields)
    {
        using var response = await http.PostAsJsonAsync("/api/items", new { type, fields });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }
}
