using Equip.Testing;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Client.Components;

namespace Equip.Bench;

/// In-process containers, each on its own client connection, hosting Level components (one
/// writable number each), made through REST as an installation designer would: requests placed
/// by the launcher, links between the components. Peer ids carry a prefix of the run, so that a
/// running server (--server) can be used again.
internal sealed class Installation : IAsyncDisposable
{
    private readonly List<EquipClient> _clients = [];
    private readonly List<ComponentContainer> _containers = [];
    private readonly Dictionary<Guid, ComponentContainer> _placed = [];
    private readonly string _prefix = $"bench-{Guid.NewGuid().ToString("N")[..6]}";

    private Installation(Uri server, BenchServer? owned = null)
    {
        Server = owned;
        Http = TestHttp.Client(server, TimeSpan.FromSeconds(60), BenchKey.Value);
    }

    public HttpClient Http { get; }

    /// The server, when the installation owns it (and stops it when disposed).
    public BenchServer? Server { get; }

    public List<Guid> Requests { get; } = [];

    public static Task<Installation> StartAsync(BenchServer owned, int containers) =>
        StartAsync(new Installation(owned.Address, owned), owned.Address, containers);

    /// The containers connect to the server, and to the alternate addresses in turn when it fails
    /// (the nodes of a cluster).
    public static Task<Installation> StartAsync(Uri server, int containers, IReadOnlyList<Uri>? alternates = null) =>
        StartAsync(new Installation(server), server, containers, alternates ?? []);

    /// Container i connects to servers[i % count], and to the others in turn when it fails (the
    /// nodes of a cluster, the devices spread over them).
    public static Task<Installation> StartSpreadAsync(IReadOnlyList<Uri> servers, int containers) =>
        StartAsync(new Installation(servers[0]), servers[0], containers, [], servers);

    private static async Task<Installation> StartAsync(Installation installation, Uri server, int containers, IReadOnlyList<Uri>? alternates = null, IReadOnlyList<Uri>? spread = null)
    {
        for (var i = 0; i < containers; i++)
        {
            var client = new EquipClient(new EquipClientOptions
            {
                Server = spread is null ? server : spread[i % spread.Count],
                AlternateServers = spread is null ? alternates ?? [] : [.. spread.Where(s => s != spread[i % spread.Count])],
                Key = BenchKey.Value,
                PeerId = installation.ContainerId(i),
                UseMessagePack = true,
            });
            var container = new ComponentContainer(client, installation.ContainerId(i));
            container.Export<Level>("Level");
            container.Export<Sensor>("Sensor");
            container.Export<Board>("Board");
            client.Start();
            installation._clients.Add(client);
            installation._containers.Add(container);
        }
        await System.Threading.Tasks.Parallel.ForEachAsync(installation._containers, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (c, _) => await c.StartAsync());
        return installation;
    }

    public string ContainerId(int container) => $"{_prefix}-{container}";

    /// Places components (Level unless another capability is named) on the given containers, and
    /// waits until each runs.
    public async Task<Guid[]> AddComponentsAsync(IReadOnlyList<int> containerOf, string capability = "Level")
    {
        var made = await Parallel(containerOf.Count, i => PostAsync("/api/component-requests", new { capability, containerId = ContainerId(containerOf[i]) }));
        var requests = made.Select(r => r.GetProperty("id").GetGuid()).ToArray();
        Requests.AddRange(requests);
        for (var i = 0; i < requests.Length; i++)
        {
            _placed[requests[i]] = _containers[containerOf[i]];
        }
        await UntilAsync(() => requests.All(r => Find(r) is not null), $"{requests.Length} components run");
        return requests;
    }

    /// Components spread evenly over the containers.
    public Task<Guid[]> AddComponentsAsync(int components) =>
        AddComponentsAsync([.. Enumerable.Range(0, components).Select(i => i % _containers.Count)]);

    public Task LinkAsync(IReadOnlyList<(Guid From, Guid To)> links) =>
        LinkAsync([.. links.Select(l => (l.From, "value", l.To, "value"))]);

    /// Links between named properties.
    public Task LinkAsync(IReadOnlyList<(Guid From, string FromProperty, Guid To, string ToProperty)> links) =>
        Parallel(links.Count, i => PostAsync("/api/links", new
        {
            source = new { componentRequestId = links[i].From, property = links[i].FromProperty },
            destination = new { componentRequestId = links[i].To, property = links[i].ToProperty },
        }));

    /// A ring of links: each component's value goes to the next one's.
    public Task AddRingOfLinksAsync() =>
        LinkAsync([.. Requests.Select((r, i) => (r, Requests[(i + 1) % Requests.Count]))]);

    public Level Level(Guid request) => Component<Level>(request);

    public T Component<T>(Guid request) where T : Component =>
        Find(request) as T ?? throw new InvalidOperationException($"The {typeof(T).Name} for {request} does not run.");

    public IEnumerable<Level> Levels => _containers.SelectMany(c => c.Components.Values).OfType<Level>();

    public IReadOnlyList<EquipClient> Clients => _clients;

    public async Task<long> RevisionAsync() =>
        (await Http.GetFromJsonAsync<JsonElement>("/api/events?after=0&limit=1")).GetProperty("currentRevision").GetInt64();

    private Component? Find(Guid request) => _placed[request].Components.GetValueOrDefault(request.ToString());

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

    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
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
        await System.Threading.Tasks.Parallel.ForEachAsync(_containers, async (c, _) => await c.DisposeAsync());
        await System.Threading.Tasks.Parallel.ForEachAsync(_clients, async (c, _) => await c.DisposeAsync());
        Http.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
