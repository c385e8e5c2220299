using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Protocol;

namespace Equip.Bench.Scenarios;

/// Writers each add persistent items back to back, through REST (201 is answered only after the
/// commit) or the hub (Add returns only after the commit); a warm-up, then a measured stretch.
internal static class DurableWrites
{
    public static Task<object> RunAsync(BenchServer server, BenchOptions options, string transport, int writers) =>
        RunAsync(server.Address, server.Store, options, transport, writers);

    public static async Task<object> RunAsync(Uri address, string store, BenchOptions options, string transport, int writers)
    {
        var writer = transport switch
        {
            "rest" => RestWriter(address, writers),
            "hub" => await HubWriterAsync(address, writers),
            _ => throw new ArgumentException($"Unknown transport '{transport}': use rest or hub."),
        };
        var warmupEnds = Stopwatch.GetTimestamp() + Stopwatch.Frequency * options.Warmup;
        var measureEnds = warmupEnds + Stopwatch.Frequency * options.Seconds;
        var perWriter = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteAsync(writer.Write, w, warmupEnds, measureEnds))));
        await writer.DisposeAsync();
        var latencies = new Latencies([.. perWriter.SelectMany(l => l)]);
        return new
        {
            scenario = "durable-writes",
            system = "equip",
            store,
            transport,
            writers,
            writesPerSec = Math.Round(latencies.Count / (double)options.Seconds),
            p50Us = latencies.P50Us,
            p99Us = latencies.P99Us,
        };
    }

    private sealed record Writer(Func<int, int, Task> Write, Func<ValueTask> Dispose)
    {
        public ValueTask DisposeAsync() => Dispose();
    }

    private static Writer RestWriter(Uri server, int writers)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = writers }) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", BenchKey.Value);
        return new Writer(async (writer, n) =>
        {
            using var response = await http.PostAsJsonAsync("/api/items", new { type = "bench.Write", fields = Fields(writer, n) });
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"A write answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }, () =>
        {
            http.Dispose();
            return ValueTask.CompletedTask;
        });
    }

    private static async Task<Writer> HubWriterAsync(Uri server, int writers)
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var clients = Enumerable.Range(0, writers)
            .Select(w => new EquipClient(new EquipClientOptions { Server = server, Key = BenchKey.Value, PeerId = $"bench-{run}-writer-{w}", UseMessagePack = true }))
            .ToArray();
        foreach (var client in clients)
        {
            client.Start();
        }
        await Task.WhenAll(clients.Select(c => c.WaitUntilConnectedAsync()));
        return new Writer(
            (writer, n) => clients[writer].AddAsync(new AddRequest { Type = "bench.Write", Fields = JsonSerializer.SerializeToElement(Fields(writer, n)) }),
            async () =>
            {
                foreach (var client in clients)
                {
                    await client.DisposeAsync();
                }
            });
    }

    private static object Fields(int writer, int n) => new { writer, n, payload = "0123456789abcdef" };

    private static async Task<List<double>> WriteAsync(Func<int, int, Task> write, int writer, long warmupEnds, long measureEnds)
    {
        var latencies = new List<double>();
        for (var n = 0; ; n++)
        {
            var started = Stopwatch.GetTimestamp();
            if (started >= measureEnds)
            {
                return latencies;
            }
            await write(writer, n);
            if (started >= warmupEnds)
            {
                latencies.Add(Latencies.Us(started));
            }
        }
    }
}
