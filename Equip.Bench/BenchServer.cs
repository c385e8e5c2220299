using System.Diagnostics;
using Equip.Testing;

namespace Equip.Bench;

/// The server under test: one the bench started on a fresh store (it can be measured and
/// restarted on the same store and port), or one already running (--server, measured only when
/// --server-pid names its process).
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly (Dictionary<string, string> Settings, string Directory)? _store;
    private readonly Process? _external;
    private ServerProcess? _process;

    private BenchServer(string store, Uri address, ServerProcess? process, (Dictionary<string, string>, string)? settings, Process? external)
    {
        Store = store;
        Address = address;
        _process = process;
        _store = settings;
        _external = external;
    }

    /// sqlite, postgres, or external.
    public string Store { get; }

    public Uri Address { get; }

    public bool CanRestart => _process is not null;

    /// The port of the server's MQTT broker, when the bench started the server.
    public int? MqttPort => _process?.MqttPort;

    /// Processor time the server has used so far, when it can be read.
    public TimeSpan? ProcessorTime => _process?.ProcessorTime ?? Refreshed(_external)?.TotalProcessorTime;

    public long? ResidentBytes => _process?.ResidentBytes ?? Refreshed(_external)?.WorkingSet64;

    /// The last lines the server logged (warnings and errors only, at the bench's log level).
    public string LastLog(int lines) => _process is null ? "" : string.Join(" | ", _process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));

    public static async Task<BenchServer> StartAsync(BenchOptions options, BenchStores stores, string store, IReadOnlyDictionary<string, string>? settings = null)
    {
        if (options.Server is { } address)
        {
            return new BenchServer("external", address, null, null, options.ServerPid is { } pid ? Process.GetProcessById(pid) : null);
        }
        var merged = new Dictionary<string, string>(BenchKey.ServerDefaults);
        foreach (var (key, value) in options.ServerSettings)
        {
            merged[key] = value;
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            merged[key] = value;
        }
        var made = await stores.CreateAsync(store, merged);
        var process = await ServerProcess.StartAsync(made.Settings, made.Directory);
        return new BenchServer(store, process.Address, process, made, null);
    }

    /// Stops the server as a service manager would (SIGTERM) and starts it again on the same
    /// store and port; returns how long each took, once it answers /health.
    public async Task<(TimeSpan Stop, TimeSpan Start)> RestartAsync()
    {
        var (settings, directory) = _store ?? throw new InvalidOperationException("Only a server the bench started can be restarted.");
        var stopping = Stopwatch.GetTimestamp();
        await _process!.TerminateAsync();
        await _process.DisposeAsync();
        var starting = Stopwatch.GetTimestamp();
        _process = await ServerProcess.StartAsync(settings, directory, port: Address.Port);
        return (Stopwatch.GetElapsedTime(stopping, starting), Stopwatch.GetElapsedTime(starting));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
        _external?.Dispose();
    }

    private static Process? Refreshed(Process? process)
    {
        process?.Refresh();
        return process;
    }
}
