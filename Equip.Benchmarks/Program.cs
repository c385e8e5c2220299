using Equip.Benchmarks;

// Durable writes per second through the REST API, with the server as its own process.
// dotnet run -c Release --project Equip.Benchmarks -- [--seconds 10] [--warmup 2] [--clients 1,16,64]
//     [--providers sqlite,postgres] [--group-commit on,off]
var options = BenchmarkOptions.Parse(args);
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
