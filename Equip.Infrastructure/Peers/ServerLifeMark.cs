using System.Globalization;
using Equip.Infrastructure.Cluster;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.Peers;

/// When this server was last known alive, kept in the data directory's file `alive` (rewritten
/// every Interval): after a crash or a stop, the next start reads when the previous run was last
/// alive, which is when its devices lost it. The recovery timeline and GET /api/peers then show
/// how long they were away as the devices experienced it, not from the start-up
/// (docs/recovery.md). Not kept on a cluster's nodes: a new leader is another machine, and its own
/// mark would say nothing of when the old leader was last alive.
public sealed class ServerLifeMark : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly string _file;
    private readonly TimeProvider _time;
    private readonly bool _clustered;

    public ServerLifeMark(IOptions<EquipOptions> options, IOptions<ClusterOptions> cluster, TimeProvider time)
    {
        _time = time;
        _clustered = cluster.Value.Enabled;
        _file = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "alive");
        PreviousRunLastAlive = _clustered ? null : Read(_file);
    }

    /// When the previous run was last known alive; null at the first start, in a cluster, or
    /// when unknown.
    public DateTimeOffset? PreviousRunLastAlive { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_clustered)
        {
            return;
        }
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            do
            {
                Mark();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        Mark(); // a clean stop: the mark is the moment it stopped
    }

    private void Mark()
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
            File.WriteAllText(_file, _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        }
        catch (Exception unwritable) when (unwritable is IOException or UnauthorizedAccessException)
        {
            // a full or read-only disk: the store says so louder; the next tick tries again
        }
    }

    private static DateTimeOffset? Read(string file)
    {
        try
        {
            return DateTimeOffset.TryParse(File.ReadAllText(file), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : null;
        }
        catch (Exception missing) when (missing is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
