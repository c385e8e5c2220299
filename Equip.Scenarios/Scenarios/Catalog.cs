using Equip.Scenarios.Harness;

namespace Equip.Scenarios.Scenarios;

/// Every scenario, in the order the tool runs them.
public static class Catalog
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new ClientRestart(),
        new ServerRestart(),
        new LanDrop(silent: false, longerThanGrace: false),
        new LanDrop(silent: true, longerThanGrace: false),
        new LanDrop(silent: false, longerThanGrace: true),
        new LanDrop(silent: true, longerThanGrace: true),
        new InternetDrop(),
        new ServerStartsLate(),
        new DeviceAndServerRestart(),
        new ReconnectStorm(),
    ];

    public static Scenario Named(string name) =>
        All.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"No scenario '{name}'. Known: {string.Join(", ", All.Select(s => s.Name))}.");
}
