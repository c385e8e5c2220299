using Equip.Testing;
using Equip.Tests.Support;

namespace Equip.Tests.Cluster;

/// A cluster node run as systemd's Restart=always runs it (docs/scaling.md): started again, where
/// it was (same ports, same settings), whenever it exits, whatever its exit code.
internal sealed class Supervised : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly string _directory;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;
    private readonly List<int> _exitCodes = [];
    private ServerProcess _current;

    private Supervised(IReadOnlyDictionary<string, string> settings, string directory, ServerProcess first)
    {
        _settings = settings;
        _directory = directory;
        _current = first;
        _watching = WatchAsync();
    }

    public ServerProcess Current => Volatile.Read(ref _current);

    /// The exit codes of the runs that ended, in order.
    public IReadOnlyList<int> ExitCodes
    {
        get
        {
            lock (_exitCodes)
            {
                return [.. _exitCodes];
            }
        }
    }

    /// Launches the node advertising its address (it leads or follows, as it finds the cluster).
    public static Supervised Start(TestStore store, string nodeId)
    {
        var port = PrivatePostgres.FreePort();
        var settings = store.With("Equip:Cluster:NodeId", nodeId).With("Equip:Cluster:AdvertisedUrl", $"http://127.0.0.1:{port}").Settings;
        var directory = settings["Equip:DataDirectory"];
        return new Supervised(settings, directory, ServerProcess.Launch(settings, directory, port));
    }

    private async Task WatchAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(100, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var current = Current;
            if (current.HasExited)
            {
                lock (_exitCodes)
                {
                    _exitCodes.Add(current.ExitCode);
                }
                Volatile.Write(ref _current, ServerProcess.Launch(_settings, _directory, current.Address.Port, current.MqttPort));
                await current.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watching;
        await Current.DisposeAsync();
    }
}
