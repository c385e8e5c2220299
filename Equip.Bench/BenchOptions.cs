namespace Equip.Bench;

/// The command line: which scenarios, against which server or stores, and their sizes.
internal sealed record BenchOptions(
    string[] Scenarios,
    string[] Providers,
    Uri? Server,
    int? ServerPid,
    bool Compare,
    bool Mqtt,
    int Hops,
    int WarmupHops,
    int Seconds,
    int Warmup,
    int[] Writers,
    string[] Transports,
    int Links,
    int Window,
    int[] Connections,
    int Devices,
    int[] DashboardSizes,
    IReadOnlyDictionary<string, string> ServerSettings,
    string? Key)
{
    public static readonly string[] AllScenarios =
        ["link-hop-latency", "link-throughput", "fan-in", "durable-writes", "lease-expiry", "disconnect-detection", "connections", "reconnect-storm", "flood", "failover", "cross-node", "time-travel"];

    public static BenchOptions Parse(string[] args)
    {
        string? Find(string name)
        {
            var at = Array.IndexOf(args, $"--{name}");
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        }
        string Get(string name, string fallback) => Find(name) ?? fallback;
        static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        static int[] Numbers(string value) => List(value).Select(int.Parse).ToArray();
        var scenarios = List(Get("scenarios", string.Join(',', AllScenarios)));
        foreach (var scenario in scenarios.Where(s => s != "dashboard" && !AllScenarios.Contains(s)))
        {
            throw new ArgumentException($"Unknown scenario '{scenario}': use {string.Join(", ", AllScenarios)} or dashboard.");
        }
        return new BenchOptions(
            scenarios,
            List(Get("providers", "sqlite,postgres")).Select(p => p.ToLowerInvariant()).ToArray(),
            Find("server") is { } server ? new Uri(server) : null,
            Find("server-pid") is { } pid ? int.Parse(pid) : null,
            Array.IndexOf(args, "--compare") >= 0,
            Array.IndexOf(args, "--mqtt") >= 0,
            int.Parse(Get("hops", "5000")),
            int.Parse(Get("warmup-hops", "500")),
            int.Parse(Get("seconds", "10")),
            int.Parse(Get("warmup", "20")),
            Numbers(Get("writers", "1,16,64")),
            List(Get("transports", "rest,hub")),
            int.Parse(Get("links", "50")),
            int.Parse(Get("window", "64")),
            Numbers(Get("connections", "1000,5000,10000")),
            int.Parse(Get("devices", "1000")),
            Numbers(Get("sizes", "20,200,1000")),
            Settings(args),
            Find("key"));
    }

    /// Every --set KEY=VALUE: a setting for the servers the bench starts (such as
    /// Equip:Database:GroupCommit=false).
    private static Dictionary<string, string> Settings(string[] args)
    {
        var settings = new Dictionary<string, string>();
        for (var at = Array.IndexOf(args, "--set"); at >= 0 && at + 1 < args.Length; at = Array.IndexOf(args, "--set", at + 1))
        {
            var pair = args[at + 1].Split('=', 2);
            settings[pair[0]] = pair.Length == 2 ? pair[1] : throw new ArgumentException($"--set takes KEY=VALUE, not '{args[at + 1]}'.");
        }
        return settings;
    }

    /// The stores each scenario runs on: the providers, or the one server given.
    public IEnumerable<string> Stores => Server is null ? Providers : ["external"];
}
