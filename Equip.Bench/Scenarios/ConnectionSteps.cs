namespace Equip.Bench.Scenarios;

/// Idle connections opened in steps (32 at a time), each step left to settle for a few keep-alive
/// rounds: the server's (or broker's) resident memory then, and what each connection added to it.
internal static class ConnectionSteps
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(8);

    public static async Task<object[]> RunAsync<T>(
        string system, string? store, int[] steps, Func<long> resident,
        Func<int, CancellationToken, Task<T>> open, Func<T, bool> isOpen, Func<T, ValueTask> close)
    {
        await Task.Delay(Settle);
        var baseline = resident();
        var connections = new List<T>();
        var results = new List<object>();
        try
        {
            foreach (var step in steps.Order())
            {
                var from = connections.Count;
                var opened = new T[step - from];
                await Parallel.ForAsync(from, step, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, token) =>
                    opened[i - from] = await open(i, token));
                connections.AddRange(opened);
                await Task.Delay(Settle);
                var now = resident();
                var result = new Dictionary<string, object?> { ["scenario"] = "connections", ["system"] = system };
                if (store is not null)
                {
                    result["store"] = store;
                }
                result["connections"] = connections.Count;
                result["open"] = connections.Count(isOpen);
                result["serverRssMiB"] = Math.Round(now / 1048576.0, 1);
                result["baselineRssMiB"] = Math.Round(baseline / 1048576.0, 1);
                result["perConnectionKiB"] = Math.Round((now - baseline) / 1024.0 / connections.Count, 1);
                results.Add(result);
                Report.Progress($"{system}: {connections.Count} idle connections, resident {now / 1048576} MiB");
            }
        }
        finally
        {
            await Parallel.ForEachAsync(connections, async (c, _) => await close(c));
        }
        return [.. results];
    }
}
