using System.Diagnostics;
using System.Globalization;

namespace Equip.Bench.Compare;

/// pgbench on the PostgreSQL cluster Equip's runs use: single-row INSERTs of the same shape as a
/// write (two numbers and a 16-character text), each its own transaction, from N clients; the
/// per-transaction log gives p50 and p99.
internal static class PgBench
{
    public static async Task<object> RunAsync(BenchStores stores, int clients, BenchOptions options)
    {
        var postgres = await stores.PostgresAsync();
        var database = $"pgbench_{Guid.NewGuid():N}"[..20];
        await postgres.CreateDatabaseAsync(database);
        var directory = stores.NewDirectory();
        await File.WriteAllTextAsync(Path.Combine(directory, "setup.sql"), "CREATE TABLE writes (id bigserial PRIMARY KEY, writer int NOT NULL, n int NOT NULL, payload text NOT NULL);\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "insert.sql"), "INSERT INTO writes (writer, n, payload) VALUES (:client_id, 1, '0123456789abcdef');\n");
        string[] connection = ["-h", "127.0.0.1", "-p", postgres.Port.ToString(), "-U", "postgres"];
        await RunAsync(directory, "psql", [.. connection, "-q", "-f", "setup.sql", database]);
        var output = await RunAsync(directory, "pgbench",
            [.. connection, "-n", "-c", clients.ToString(), "-j", Math.Min(clients, Environment.ProcessorCount).ToString(), "-T", (options.Warmup + options.Seconds).ToString(), "-f", "insert.sql", "-l", "--log-prefix=tx", database]);
        var warmupEnds = 0L;
        var latencies = new List<double>();
        var measured = 0;
        var lines = Directory.GetFiles(directory, "tx*").SelectMany(File.ReadLines)
            .Select(l => l.Split(' ')).Select(f => (Us: double.Parse(f[2], CultureInfo.InvariantCulture), At: long.Parse(f[4]) * 1_000_000 + long.Parse(f[5]))).ToList();
        if (lines.Count > 0)
        {
            warmupEnds = lines.Min(l => l.At) + options.Warmup * 1_000_000L;
            foreach (var line in lines.Where(l => l.At >= warmupEnds && l.At < warmupEnds + options.Seconds * 1_000_000L))
            {
                latencies.Add(line.Us);
                measured++;
            }
        }
        var sorted = new Latencies(latencies);
        return new
        {
            scenario = "durable-writes",
            system = "pgbench",
            store = "postgres",
            transport = "libpq",
            writers = clients,
            writesPerSec = Math.Round(measured / (double)options.Seconds),
            p50Us = sorted.P50Us,
            p99Us = sorted.P99Us,
            pgbenchTps = output.Split('\n').FirstOrDefault(l => l.StartsWith("tps", StringComparison.Ordinal))?.Trim(),
        };
    }

    private static async Task<string> RunAsync(string directory, string tool, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{tool} exited with {process.ExitCode}: {await errors}");
    }
}
