using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Equip.Testing;

namespace Equip.Benchmarks;

internal sealed record WriteResult(double WritesPerSecond, double P50Ms, double P99Ms);

/// N clients each POST items back to back; a write counts once the server answered 201, which it
/// does only after the write's transaction committed.
internal static class WriteBenchmark
{
    public static async Task<WriteResult> RunAsync((Dictionary<string, string> Settings, string Directory) store, int clients, BenchmarkOptions options)
    {
        await using var server = await ServerProcess.StartAsync(store.Settings, store.Directory);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients })
        {
            BaseAddress = server.Address,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var warmupEnds = Stopwatch.GetTimestamp() + Stopwatch.Frequency * options.Warmup;
        var measureEnds = warmupEnds + Stopwatch.Frequency * options.Seconds;
        var perClient = await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => WriteAsync(http, c, warmupEnds, measureEnds))));
        var latencies = perClient.SelectMany(l => l).Order().ToArray();
        return new WriteResult(
            latencies.Length / (double)options.Seconds,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99));
    }

    private static async Task<List<double>> WriteAsync(HttpClient http, int client, long warmupEnds, long measureEnds)
    {
        var latencies = new List<double>();
        for (var n = 0; ; n++)
        {
            var started = Stopwatch.GetTimestamp();
            if (started >= measureEnds)
            {
                return latencies;
            }
            var response = await http.PostAsJsonAsync("/api/items", new { type = "bench.Write", fields = new { client, n, payload = "0123456789abcdef" } });
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"Write answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
            if (started >= warmupEnds)
            {
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
