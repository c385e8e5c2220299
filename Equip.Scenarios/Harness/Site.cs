using Equip.Testing;

namespace Equip.Scenarios.Harness;

/// A place whose devices reach the server through one network link: a fault-injecting proxy that
/// a scenario can reset (connections refused, as when a router reboots) or blackhole (every byte
/// vanishes, as when a cable is pulled or the internet uplink fails).
public sealed class Site(string name, FaultProxy link) : IAsyncDisposable
{
    public string Name { get; } = name;

    public FaultProxy Link { get; } = link;

    public Uri Address => Link.Address;

    public ValueTask DisposeAsync() => Link.DisposeAsync();
}
