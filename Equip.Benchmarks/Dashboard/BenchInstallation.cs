using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Client.Components;
using Equip.Testing;
using Level = Equip.Benchmarks.LinkHopBenchmark.Level;

namespace Equip.Benchmarks.Dashboard;

/// The server as its own process on a fresh SQLite store, with in-process containers hosting
/// Level components (one writable number each), made through REST as an installation designer
/// would: requests placed by the launcher, links between the components.
internal sealed class BenchInstallation : IAsyncDisposable
{
    private readonly List<EquipClient> _clients = [];
    private readonly List<ComponentContainer> _containers = [];

    private BenchInstallation(ServerProcess server)
    {
        Server = server;
        Http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public ServerProcess Server { get; }

    public HttpClient Http { get; }

    public List<Guid> Requests { get; } = [];

    public static async Task<BenchInstallation> StartAsync((Dictionary<string, string> Settings, string Directory) store, int containers)
    {
        var installation = new BenchInstallation(await ServerProcess.StartAsync(store.Settings, store.Directory));
        for (var i = 0; i < containers; i++)
        {
            var client = new EquipClient(new EquipClientOptions { Server = installation.Server.Address, PeerId = $"bench-{i}", UseMessagePack = true });
            var container = new ComponentContainer(client, $"bench-{i}");
            container.Export<Level>("Level");
            client.Start();
            await container.StartAsync();
            installation._clients.Add(client);
            installation._containers.Add(container);
        }
        return installation;
    }

    /// Makes components Level components spread over the containers, waits until each runs.
    public async Task AddComponentsAsync(int components)
    {
        var made = await Parallel(components, i => PostAsync("/api/component-requests", new { capability = "Level", containerId = $"bench-{i % _containers.Count}" }));
        Requests.AddRange(made.Select(r => r.GetProperty("id").GetGuid()));
        await UntilAsync(() => _containers.Sum(c => c.Components.Count) >= Requests.Count, $"{components} components run");
    }

    /// A ring of links: each component's value goes to the next one's.
    public async Task AddRingOfLinksAsync()
    {
        await Parallel(Requests.Count, i => PostAsync("/api/links", new
        {
            source = new { componentRequestId = Requests[i], property = "value" },
            destination = new { componentRequestId = Requests[(i + 1) % Requests.Count], property = "value" },
        }));
    }

    public IEnumerable<Level> Levels => _containers.SelectMany(c => c.Components.Values).OfType<Level>();

    public async Task<long> RevisionAsync() =>
        (await Http.GetFromJsonAsync<JsonElement>("/api/events?after=0&limit=1")).GetProperty("currentRevision").GetInt64();

    private async Task<JsonElement> PostAsync(string path, object body)
    {
        var response = await Http.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement[]> Parallel(int count, Func<int, Task<JsonElement>> make)
    {
        var results = new JsonElement[count];
        await System.Threading.Tasks.Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) => results[i] = await make(i));
        return results;
    }

    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var container in _containers)
        {
            await container.DisposeAsync();
        }
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
