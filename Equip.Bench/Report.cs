using System.Text.Json;

namespace Equip.Bench;

/// Each result is one JSON line on stdout, its field names carrying their unit (p50Us,
/// appliedPerSec, ...); progress goes to stderr, so stdout stays machine-readable.
internal static class Report
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static void Line(object result) => Console.Out.WriteLine(JsonSerializer.Serialize(result, Json));

    public static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    /// A ratio rounded for reading; null when either side is missing.
    public static double? Ratio(double? ours, double? theirs) =>
        ours is { } o && theirs is { } t && t != 0 ? Math.Round(o / t, 2) : null;
}
