namespace Equip.Benchmarks;

internal sealed record BenchmarkOptions(int Seconds, int Warmup, int[] Clients, string[] Providers, bool[] GroupCommit)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var at = Array.IndexOf(args, $"--{name}");
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
        }
        static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new BenchmarkOptions(
            int.Parse(Get("seconds", "10")),
            int.Parse(Get("warmup", "2")),
            List(Get("clients", "1,16,64")).Select(int.Parse).ToArray(),
            List(Get("providers", "sqlite,postgres")).Select(p => p.ToLowerInvariant()).ToArray(),
            List(Get("group-commit", "on,off")).Select(g => g == "on").ToArray());
    }
}
