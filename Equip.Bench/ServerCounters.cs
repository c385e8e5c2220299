using System.Globalization;

namespace Equip.Bench;

/// Counters of the server's /metrics (Prometheus text format), read before and after a measured
/// stretch to tell what the server itself did in it.
internal static class ServerCounters
{
    /// The sum of every series of the counter, or null when the server does not report it.
    public static async Task<double?> ReadAsync(HttpClient http, string name)
    {
        try
        {
            var text = await http.GetStringAsync("/metrics");
            var values = text.Split('\n')
                .Where(l => l.StartsWith(name, StringComparison.Ordinal) && (l.Length == name.Length || l[name.Length] is ' ' or '{'))
                .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture))
                .ToList();
            return values.Count == 0 ? null : values.Sum();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
