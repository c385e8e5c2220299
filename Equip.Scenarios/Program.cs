using System.Globalization;
using Equip.Scenarios.Harness;
using Equip.Scenarios.Scenarios;
using Equip.Testing;

// Runs the failure scenarios against real processes and prints the time each took to recover.
// usage: Equip.Scenarios [--provider sqlite|postgres|both] [--compressed] [--peers N] [--site-outage SECONDS] [SCENARIO ...]
var providers = new List<StoreProvider> { StoreProvider.Sqlite };
var settings = ScenarioSettings.Realistic;
var names = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--provider" when i + 1 < args.Length:
            providers = args[++i] switch
            {
                "sqlite" => [StoreProvider.Sqlite],
                "postgres" => [StoreProvider.Postgres],
                "both" => [StoreProvider.Sqlite, StoreProvider.Postgres],
                var other => throw new ArgumentException($"Unknown provider '{other}'."),
            };
            break;
        case "--compressed":
            settings = ScenarioSettings.Compressed with { Provider = settings.Provider };
            break;
        case "--peers" when i + 1 < args.Length:
            settings = settings with { StormPeers = int.Parse(args[++i], CultureInfo.InvariantCulture) };
            break;
        case "--site-outage" when i + 1 < args.Length:
            settings = settings with { SiteOutage = TimeSpan.FromSeconds(double.Parse(args[++i], CultureInfo.InvariantCulture)) };
            break;
        case "--list":
            foreach (var scenario in Catalog.All)
            {
                Console.WriteLine($"{scenario.Name,-30} {scenario.Description}");
            }
            return 0;
        case var name when !name.StartsWith("--", StringComparison.Ordinal):
            names.Add(name);
            break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'.");
            Console.Error.WriteLine("usage: Equip.Scenarios [--list] [--provider sqlite|postgres|both] [--compressed] [--peers N] [--site-outage SECONDS] [SCENARIO ...]");
            return 2;
    }
}
var scenarios = names.Count == 0 ? Catalog.All : names.Select(Catalog.Named).ToList();
await using var postgres = providers.Contains(StoreProvider.Postgres) ? await PrivatePostgres.StartAsync() : null;
Console.WriteLine($"grace {settings.DisconnectGrace.TotalSeconds:0.##} s, server client timeout {settings.ServerClientTimeout.TotalSeconds:0.##} s, device reconnect cap {settings.DeviceReconnectCap.TotalSeconds:0.##} s, device server timeout {settings.DeviceServerTimeout.TotalSeconds:0.##} s");
var failed = 0;
foreach (var provider in providers)
{
    var run = settings with
    {
        Provider = provider,
        NewPostgresDatabase = postgres is null ? null : async () =>
        {
            var database = $"equip_{Guid.NewGuid():N}";
            await postgres.CreateDatabaseAsync(database);
            return postgres.ConnectionString(database);
        },
    };
    foreach (var scenario in scenarios)
    {
        Console.WriteLine($"== {scenario.Name} on {provider}: {scenario.Description}");
        try
        {
            var report = await scenario.RunAsync(run, Console.Out);
            foreach (var recovery in report.Recoveries)
            {
                Console.WriteLine($"   {recovery.Time.TotalMilliseconds,8:0} ms  {recovery.What}");
            }
            Console.WriteLine($"   ok ({report.Checks.Count} checks)");
            foreach (var check in report.Checks)
            {
                Console.WriteLine($"      checked: {check}");
            }
        }
        catch (ScenarioFailedException error)
        {
            failed++;
            Console.WriteLine($"   FAILED: {error.Message}");
        }
    }
}
return failed == 0 ? 0 : 1;
