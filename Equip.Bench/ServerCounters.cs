using System.Globalization;

namespace Equip.Bench;

/// Counters of the server's /metrics (Prometheus text format), read before and after a measured
/// stretch to tell what the server itself did in it.
internal static class ServerCounters
{
    /// One scrape: for each counter, the sum of its series, or null when the server does not
    /// report it (or cannot be scraped).
    public static async Task<double?[]> ReadAsync(HttpClient http, params string[] names)
    {
        string text;
        try
        {
            text = await http.GetStringAsync("/metrics");
        }
        catch (HttpRequestException)
        {
            return new double?[names.Length];
        }
        var lines = text.Split('\n');
        return [.. names.Select(name => Sum(lines, name))];
    }

    private static double? Sum(string[] lines, string name)
    {
        var values = lines
            .Where(l => l.StartsWith(name, StringComparison.Ordinal) && (l.Length == name.Length || l[name.Length] is ' ' or '{'))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture))
            .ToList();
        return values.Count == 0 ? null : values.Sum();
    }
}
