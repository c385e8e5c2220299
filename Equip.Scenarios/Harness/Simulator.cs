using Equip.Testing;

namespace Equip.Scenarios.Harness;

/// One Equip.Device process, at a site; can be killed and started again with the same container id.
public sealed class Simulator(string containerId, Site site, string[] arguments) : IAsyncDisposable
{
    public string ContainerId { get; } = containerId;

    public Site Site { get; } = site;

    private readonly List<DeviceProcess> _previous = [];

    public DeviceProcess? Process { get; private set; }

    public bool IsRunning => Process is { HasExited: false };

    public void Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{ContainerId} is already running.");
        }
        Process = DeviceProcess.Start(Site.Address, ContainerId, arguments);
    }

    /// kill -9.
    public async Task KillAsync()
    {
        if (Process is { } process)
        {
            await process.KillAsync();
            _previous.Add(process);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _previous)
        {
            await process.DisposeAsync();
        }
        if (Process is { } current && !_previous.Contains(current))
        {
            await current.DisposeAsync();
        }
    }
}
