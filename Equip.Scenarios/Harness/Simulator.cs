using Equip.Testing;

namespace Equip.Scenarios.Harness;

/// One Equip.Device process, at a site; can be killed and started again with the same container id.
public sealed class Simulator(string containerId, Site site, string[] arguments) : IAsyncDisposable
{
    private readonly List<DeviceProcess> _started = [];

    public string ContainerId { get; } = containerId;

    public Site Site { get; } = site;

    /// The process started last (killed ones stay readable until disposal).
    public DeviceProcess? Process => _started.LastOrDefault();

    public bool IsRunning => Process is { HasExited: false };

    /// The ids of the persistent device.Boot items the server acknowledged to any of its processes.
    public IEnumerable<Guid> RecordedBoots => _started.SelectMany(p => p.Output.Split('\n'))
        .Where(line => line.StartsWith("boot recorded ", StringComparison.Ordinal))
        .Select(line => Guid.Parse(line["boot recorded ".Length..].Trim()));

    public void Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{ContainerId} is already running.");
        }
        _started.Add(DeviceProcess.Start(Site.Address, ContainerId, arguments));
    }

    /// kill -9.
    public Task KillAsync() => Process?.KillAsync() ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _started)
        {
            await process.DisposeAsync();
        }
    }
}
