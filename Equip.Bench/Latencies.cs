using System.Diagnostics;

namespace Equip.Bench;

/// Latencies in microseconds, sorted once for their percentiles.
internal sealed class Latencies(List<double> microseconds)
{
    private readonly double[] _sorted = [.. microseconds.Order()];

    public int Count => _sorted.Length;

    public double P50Us => Percentile(0.50);

    public double P99Us => Percentile(0.99);

    public double MaxUs => _sorted.Length == 0 ? double.NaN : _sorted[^1];

    public double MeanUs => _sorted.Length == 0 ? double.NaN : Math.Round(_sorted.Average(), 1);

    public double Percentile(double p) =>
        _sorted.Length == 0 ? double.NaN : Math.Round(_sorted[Math.Min(_sorted.Length - 1, (int)(p * _sorted.Length))], 1);

    /// The warm-up hops (at least WarmupHops, and for at least the Warmup seconds: .NET's tiered
    /// compilation takes that long to settle), then the measured ones, one at a time; each hop is
    /// given its number and answers how long it took.
    public static async Task<Latencies> OfHopsAsync(Func<long, Task<double>> hop, BenchOptions options)
    {
        var warmupEnds = Stopwatch.GetTimestamp() + options.Warmup * Stopwatch.Frequency;
        long n = 0;
        while (n < options.WarmupHops || Stopwatch.GetTimestamp() < warmupEnds)
        {
            await hop(++n);
        }
        var measured = new List<double>(options.Hops);
        for (var i = 0; i < options.Hops; i++)
        {
            measured.Add(await hop(++n));
        }
        return new Latencies(measured);
    }

    public static double Us(long startedTimestamp) =>
        Stopwatch.GetElapsedTime(startedTimestamp).TotalMicroseconds;
}
