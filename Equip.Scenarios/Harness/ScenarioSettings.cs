namespace Equip.Scenarios.Harness;

public enum StoreProvider
{
    Sqlite,
    Postgres,
}

/// The timings a scenario runs with. Realistic is the shipped defaults with outages of seconds to
/// minutes; Compressed scales every period down so that the whole suite runs in CI.
public sealed record ScenarioSettings
{
    public StoreProvider Provider { get; init; } = StoreProvider.Sqlite;

    /// Creates a fresh PostgreSQL database and returns its connection string (Postgres only).
    public Func<Task<string>>? NewPostgresDatabase { get; init; }

    /// The server's Equip:Peers:DisconnectGrace.
    public TimeSpan DisconnectGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// The server's Equip:Peers:KeepAliveInterval and ClientTimeout.
    public TimeSpan ServerKeepAlive { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan ServerClientTimeout { get; init; } = TimeSpan.FromSeconds(6);

    /// The simulators' --max-reconnect-delay-ms, --keep-alive-ms and --server-timeout-ms.
    public TimeSpan DeviceReconnectCap { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan DeviceKeepAlive { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan DeviceServerTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// F3: a cut shorter than the grace period, and one longer than detection plus grace.
    public TimeSpan ShortOutage { get; init; } = TimeSpan.FromSeconds(4);

    public TimeSpan LongOutage { get; init; } = TimeSpan.FromSeconds(30);

    /// F4 and the server restarts: how long a site is without the server.
    public TimeSpan SiteOutage { get; init; } = TimeSpan.FromMinutes(2);

    /// How many in-process peers reconnect at once in the storm scenario.
    public int StormPeers { get; init; } = 1000;

    /// The longest any expected effect may take before the scenario fails.
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(60);

    public static ScenarioSettings Realistic { get; } = new();

    public static ScenarioSettings Compressed { get; } = new()
    {
        // Long enough that a short cut ends well inside it on a loaded CI machine (a silent short
        // cut is detection + half the grace: 2 + 2.5 s, against 2-3 + 5 s to removal).
        DisconnectGrace = TimeSpan.FromSeconds(5),
        ServerKeepAlive = TimeSpan.FromMilliseconds(500),
        ServerClientTimeout = TimeSpan.FromSeconds(2),
        DeviceReconnectCap = TimeSpan.FromSeconds(1),
        DeviceKeepAlive = TimeSpan.FromMilliseconds(500),
        DeviceServerTimeout = TimeSpan.FromSeconds(2),
        ShortOutage = TimeSpan.FromSeconds(1.5),
        LongOutage = TimeSpan.FromSeconds(7),
        SiteOutage = TimeSpan.FromSeconds(8),
        StormPeers = 150,
        Deadline = TimeSpan.FromSeconds(30),
    };
}
