using Equip.Benchmarks;

// Durable writes per second through the REST API, with the server as its own process.
// dotnet run -c Release --project Equip.Benchmarks -- [--seconds 10] [--warmup 2] [--clients 1,16,64]
//     [--providers sqlite,postgres] [--group-commit on,off]
// The latency of a link hop between two devices:
// dotnet run -c Release --project Equip.Benchmarks -- --link-hops 200 [--providers sqlite,postgres]
// What one open dashboard costs, and how fast the graph and the tree render at 20, 200, 1000 components:
// dotnet run -c Release --project Equip.Benchmarks -- --dashboard [--seconds 10] [--sizes 20,200,1000]
var options = BenchmarkOptions.Parse(args);
if (Array.IndexOf(args, "--dashboard") >= 0)
{
    Console.WriteLine($"# Dashboard, {Environment.ProcessorCount} cores");
    Console.WriteLine();
    await using var dashboardStores = new BenchmarkStores();
    var sizes = Array.IndexOf(args, "--sizes") is var s && s >= 0 ? args[s + 1].Split(',').Select(int.Parse).ToArray() : [20, 200, 1000];
    await Equip.Benchmarks.Dashboard.DashboardBenchmark.RunAsync(dashboardStores, options.Seconds, sizes);
    return;
}
if (Array.IndexOf(args, "--link-hops") is var at && at >= 0)
{
    var hops = int.Parse(args[at + 1]);
    Console.WriteLine($"# Link hop latency: {hops} values, {Environment.ProcessorCount} cores");
    Console.WriteLine();
    Console.WriteLine("| provider | hops measured | p50 ms | p99 ms | mean ms |");
    Console.WriteLine("| --- | --: | --: | --: | --: |");
    await using var hopStores = new BenchmarkStores();
    foreach (var provider in options.Providers)
    {
        Console.Write($"| {provider} ");
        await LinkHopBenchmark.RunAsync(await hopStores.CreateAsync(provider, groupCommit: true), hops);
    }
    return;
}
Console.WriteLine($"# Durable writes/s: {options.Seconds} s per run after {options.Warmup} s warm-up, {Environment.ProcessorCount} cores");
Console.WriteLine();
Console.WriteLine("| provider | group commit | clients | writes/s | p50 ms | p99 ms |");
Console.WriteLine("| --- | --- | --: | --: | --: | --: |");
await using var stores = new BenchmarkStores();
foreach (var provider in options.Providers)
{
    foreach (var groupCommit in options.GroupCommit)
    {
        foreach (var clients in options.Clients)
        {
            var result = await WriteBenchmark.RunAsync(await stores.CreateAsync(provider, groupCommit), clients, options);
            Console.WriteLine($"| {provider} | {(groupCommit ? "on" : "off")} | {clients} | {result.WritesPerSecond:F0} | {result.P50Ms:F1} | {result.P99Ms:F1} |");
        }
    }
}
