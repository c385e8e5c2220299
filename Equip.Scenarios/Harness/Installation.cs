using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Testing;

namespace Equip.Scenarios.Harness;

/// A whole installation under test: the server as a process on its own store, sites of simulator
/// processes behind fault-injecting proxies, and an operator who uses the REST API through a
/// proxy of their own (so that the operator's address survives server restarts).
public sealed class Installation : IAsyncDisposable
{
    private readonly ScenarioSettings _settings;
    private readonly Dictionary<string, string> _serverSettings;
    private readonly string _directory;
    private readonly FaultProxy _operator = new();
    private readonly List<Site> _sites = [];
    private readonly List<Simulator> _simulators = [];
    private readonly List<EquipClient> _peers = [];
    private ServerProcess? _server;
    private string? _lastServerOutput;

    private Installation(ScenarioSettings settings, Dictionary<string, string> serverSettings, string directory, TextWriter log)
    {
        _settings = settings;
        _serverSettings = serverSettings;
        _directory = directory;
        Log = log;
        Http = TestHttp.Client(_operator.Address, TimeSpan.FromSeconds(10));
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
    }

    public TextWriter Log { get; }

    public ScenarioSettings Settings => _settings;

    /// The REST API, as an operator reaches it.
    public HttpClient Http { get; }

    /// The server's address through the operator's proxy (stable across restarts).
    public Uri Address => _operator.Address;

    public IReadOnlyList<Simulator> Simulators => _simulators;

    /// The loopback port of the running server's MQTT broker (TCP).
    public int MqttPort => _server?.MqttPort ?? throw new InvalidOperationException("The server is not running.");

    /// What the running server, or else the last one, wrote.
    public string? ServerOutput => _server?.Output ?? _lastServerOutput;

    public static async Task<Installation> CreateAsync(ScenarioSettings settings, TextWriter log)
    {
        var directory = Directory.CreateTempSubdirectory("equip-scenario-").FullName;
        var server = new Dictionary<string, string>
        {
            ["Equip:Database:Provider"] = settings.Provider.ToString(),
            ["Equip:DataDirectory"] = directory,
            ["Equip:Peers:DisconnectGrace"] = settings.DisconnectGrace.ToString("c", CultureInfo.InvariantCulture),
            ["Equip:Peers:KeepAliveInterval"] = settings.ServerKeepAlive.ToString("c", CultureInfo.InvariantCulture),
            ["Equip:Peers:ClientTimeout"] = settings.ServerClientTimeout.ToString("c", CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Equip:Auth:AdminKey"] = TestKeys.Admin,
        };
        if (settings.Provider == StoreProvider.Postgres)
        {
            var database = settings.NewPostgresDatabase ?? throw new InvalidOperationException("PostgreSQL needs NewPostgresDatabase.");
            server["Equip:Database:ConnectionString"] = await database();
        }
        return new Installation(settings, server, directory, log);
    }

    /// Starts the server (again) on the same store; returns when it answers /health.
    public async Task StartServerAsync()
    {
        if (_server is not null)
        {
            throw new InvalidOperationException("The server is running.");
        }
        _server = await ServerProcess.StartAsync(_serverSettings, _directory);
        var port = _server.Address.Port;
        _operator.TargetPort = port;
        foreach (var site in _sites)
        {
            site.Link.TargetPort = port;
        }
    }

    /// kill -9 the server; until it starts again, connections to it are refused.
    public async Task KillServerAsync()
    {
        _operator.TargetPort = null;
        foreach (var site in _sites)
        {
            site.Link.TargetPort = null;
        }
        if (_server is not null)
        {
            await _server.DisposeAsync(); // kill -9
            _lastServerOutput = _server.Output;
            _server = null;
        }
    }

    public Site AddSite(string name)
    {
        var site = new Site(name, new FaultProxy(_server?.Address.Port));
        _sites.Add(site);
        return site;
    }

    /// Starts a simulator at the site with the installation's device timings.
    public Simulator StartSimulator(Site site, string containerId, params string[] arguments)
    {
        var simulator = new Simulator(containerId, site,
        [
            "--max-reconnect-delay-ms", Milliseconds(_settings.DeviceReconnectCap),
            "--keep-alive-ms", Milliseconds(_settings.DeviceKeepAlive),
            "--server-timeout-ms", Milliseconds(_settings.DeviceServerTimeout),
            "--record-boots",
            .. arguments,
        ]);
        simulator.Start();
        _simulators.Add(simulator);
        return simulator;
    }

    /// An in-process peer (Equip.Client) at the site, with the installation's device timings.
    public EquipClient StartPeer(Site site, string peerId)
    {
        var peer = new EquipClient(new EquipClientOptions
        {
            Server = site.Address,
            Key = TestKeys.Admin,
            PeerId = peerId,
            Name = peerId,
            InitialReconnectDelay = TimeSpan.FromMilliseconds(Math.Min(100, _settings.DeviceReconnectCap.TotalMilliseconds)),
            MaxReconnectDelay = _settings.DeviceReconnectCap,
            KeepAliveInterval = _settings.DeviceKeepAlive,
            ServerTimeout = _settings.DeviceServerTimeout,
        });
        _peers.Add(peer);
        peer.Start();
        return peer;
    }

    public async Task<Guid> RequestAsync(string capability, string containerId, object? initialValues = null)
    {
        var body = await PostAsync("/api/component-requests", new { capability, containerId, initialValues });
        return body.GetProperty("id").GetGuid();
    }

    /// Links one requested Counter's doubled to another's count.
    public async Task<Link> LinkAsync(Guid source, Guid destination) =>
        new(await LinkAsync(source, "doubled", destination, "count"), source, destination);

    /// Links any two properties (not probed).
    public async Task<Guid> LinkAsync(Guid source, string sourceProperty, Guid destination, string destinationProperty)
    {
        var body = await PostAsync("/api/links", new
        {
            source = new { componentRequestId = source, property = sourceProperty },
            destination = new { componentRequestId = destination, property = destinationProperty },
        });
        return body.GetProperty("id").GetGuid();
    }

    public async Task<Guid> ConstantAsync(Guid destination, string property, object value)
    {
        var body = await PostAsync("/api/constants", new { destination = new { componentRequestId = destination, property }, value });
        return body.GetProperty("id").GetGuid();
    }

    public async Task<JsonElement> PostAsync(string path, object body)
    {
        using var response = await Http.PostAsJsonAsync(path, body);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new ScenarioFailedException($"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement[]> ListAsync(string path) =>
        await Http.GetFromJsonAsync<JsonElement[]>(path) ?? [];

    /// The ids of what a list endpoint returns (requests, links, constants).
    public async Task<HashSet<Guid>> IdsAsync(string path, Func<JsonElement, bool>? where = null) =>
        (await ListAsync(path)).Where(e => where?.Invoke(e) ?? true).Select(e => e.GetProperty("id").GetGuid()).ToHashSet();

    /// The current value of a property of a running component; null while it is not there.
    public async Task<JsonElement?> PropertyAsync(Guid component, string name)
    {
        using var response = await Http.GetAsync($"/api/components/{component}");
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("properties").EnumerateArray()
            .Where(p => p.GetProperty("name").GetString() == name)
            .Select(p => (JsonElement?)p.GetProperty("value").Clone())
            .FirstOrDefault();
    }

    /// A property's value as a number (a text holding one counts); null while there is none.
    public async Task<double?> NumberAsync(Guid component, string name) =>
        await PropertyAsync(component, name) switch
        {
            { ValueKind: JsonValueKind.Number } number => number.GetDouble(),
            { ValueKind: JsonValueKind.String } text when double.TryParse(text.GetString(), CultureInfo.InvariantCulture, out var value) => value,
            _ => null,
        };

    /// Sets a property through REST; false when the component cannot take it now.
    public async Task<bool> TrySetPropertyAsync(Guid component, string name, object value)
    {
        try
        {
            using var response = await Http.PutAsJsonAsync($"/api/components/{component}/properties/{name}", new { value });
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    /// Polls until the condition holds, or fails the scenario after the deadline. Connection
    /// errors count as "not yet" (the server may be starting).
    public async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null, Func<Task<string>>? diagnose = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = deadline ?? _settings.Deadline;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return clock.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (clock.Elapsed > limit)
            {
                var diagnosis = diagnose is null ? "" : $" Seen: {await diagnose()}";
                throw new ScenarioFailedException($"Not within {limit.TotalSeconds:0.#} s: {what}.{diagnosis}");
            }
            await Task.Delay(25);
        }
    }

    public async Task<JsonElement> RequestStatusAsync(Guid request) =>
        await Http.GetFromJsonAsync<JsonElement>($"/api/component-requests/{request}");

    /// Until every request runs, on the container it names.
    public Task<TimeSpan> UntilRunningAsync(params Guid[] requests) =>
        UntilAsync(async () =>
        {
            var running = await IdsAsync("/api/component-requests", r => r.GetProperty("status").GetString() == "running");
            return requests.All(running.Contains);
        }, $"requests {string.Join(", ", requests)} run");

    /// The store's current revision.
    public async Task<long> RevisionAsync() =>
        (await Http.GetFromJsonAsync<JsonElement>("/api/events?after=0&limit=1")).GetProperty("currentRevision").GetInt64();

    /// Every event after the revision, in order.
    public async Task<IReadOnlyList<JsonElement>> EventsAfterAsync(long revision)
    {
        var events = new List<JsonElement>();
        while (true)
        {
            var page = await Http.GetFromJsonAsync<JsonElement>($"/api/events?after={revision}&limit=1000");
            var batch = page.GetProperty("events").EnumerateArray().Select(e => e.Clone()).ToList();
            if (batch.Count == 0)
            {
                return events;
            }
            events.AddRange(batch);
            revision = batch[^1].GetProperty("revision").GetInt64();
        }
    }

    /// Measures from the given moment until every link carries a value set after it: the source
    /// is set through REST to fresh values until one reaches the destination.
    public Task<TimeSpan> UntilLinksFlowAsync(IReadOnlyList<Link> links, long since, TimeSpan? deadline = null) =>
        new LinkProbe(this).UntilFlowingAsync(links, since, deadline ?? _settings.Deadline);

    /// Checks that the process-bound component layer reflects exactly the live simulators: one
    /// connected peer and one container item per live simulator, none for the others, and each
    /// running request's component on a live container, once.
    public async Task CheckLiveAsync(ScenarioReport report, IEnumerable<Guid> requests)
    {
        var live = _simulators.Where(s => s.IsRunning).Select(s => s.ContainerId).ToHashSet();
        var containers = (await ListAsync("/api/containers")).Select(c => c.GetProperty("containerId").GetString()!).ToHashSet();
        report.Require(containers.SetEquals(live), $"containers [{string.Join(", ", live.Order())}], found [{string.Join(", ", containers.Order())}]");
        var peers = await ListAsync("/api/peers");
        var connected = peers.Where(p => p.GetProperty("state").GetString() == "connected").Select(p => p.GetProperty("peerId").GetString()!).ToHashSet();
        report.Require(live.IsSubsetOf(connected), $"every live simulator connected ({string.Join(", ", live.Except(connected))} not)");
        var components = await ListAsync("/api/components");
        foreach (var request in requests)
        {
            var mine = components.Where(c => c.TryGetProperty("componentRequestId", out var id) && id.ValueKind == JsonValueKind.String && id.GetGuid() == request).ToList();
            report.Require(mine.Count == 1 && live.Contains(mine[0].GetProperty("containerId").GetString()!), $"request {request} has one component on a live container (found {mine.Count})");
        }
        report.Require(components.All(c => live.Contains(c.GetProperty("containerId").GetString()!)), "no component on a dead container");
        await CheckBootsKeptAsync(report);
    }

    /// Every simulator adds a persistent device.Boot item at each start: whatever broke, every one
    /// the server acknowledged is still there (F1 must not cost a device its persistent items).
    private async Task CheckBootsKeptAsync(ScenarioReport report)
    {
        var recorded = _simulators.SelectMany(s => s.RecordedBoots).ToList();
        var stored = await IdsAsync("/api/items?type=device.Boot&limit=1000");
        var lost = recorded.Where(id => !stored.Contains(id)).ToList();
        report.Require(lost.Count == 0, $"every acknowledged device.Boot item kept ({lost.Count} of {recorded.Count} lost)");
        report.Checked($"{recorded.Count} persistent device items kept");
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        await Task.WhenAll(_peers.Select(p => p.DisposeAsync().AsTask()));
        foreach (var simulator in _simulators)
        {
            await simulator.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        foreach (var site in _sites)
        {
            await site.DisposeAsync();
        }
        await _operator.DisposeAsync();
        Http.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A killed process may still hold a file for a moment; the OS cleans temp later.
        }
    }

    /// The tool stopped by SIGTERM or Ctrl+C (or the test host ending) leaves no server or
    /// simulator running behind it.
    private void KillOnExit(object? sender, EventArgs e)
    {
        foreach (var simulator in _simulators)
        {
            simulator.Process?.KillAsync().GetAwaiter().GetResult();
        }
        _server?.KillAsync().GetAwaiter().GetResult();
    }

    private static string Milliseconds(TimeSpan time) => ((int)time.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}
