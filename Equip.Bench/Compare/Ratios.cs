using System.Text.Json;

namespace Equip.Bench.Compare;

/// Equip's figures over the anchors' from the same run, one JSON line each: below 1 is faster
/// for latencies, above 1 is more for rates.
internal static class Ratios
{
    public static void Print(IReadOnlyList<object> results)
    {
        var lines = results.Select(r => JsonSerializer.SerializeToElement(r)).ToList();
        IEnumerable<JsonElement> Of(string scenario, string system) =>
            lines.Where(l => Text(l, "scenario") == scenario && Text(l, "system") == system);
        foreach (var ours in Of("link-hop-latency", "equip"))
        {
            foreach (var theirs in Of("link-hop-latency", "mosquitto-qos0").Concat(Of("link-hop-latency", "mosquitto-qos1")))
            {
                Line("link-hop-latency", ours, theirs, "p50Us", "p99Us");
            }
        }
        foreach (var ours in Of("link-throughput", "equip"))
        {
            foreach (var theirs in Of("link-throughput", "mosquitto-qos0").Concat(Of("link-throughput", "mosquitto-qos1")))
            {
                Line("link-throughput", ours, theirs, "appliedPerSec", "serverCpuUsPerValue", "p99Us");
            }
        }
        foreach (var level in new[] { 0, 1 })
        {
            foreach (var scenario in new[] { "link-hop-latency", "link-throughput" })
            {
                foreach (var ours in Of(scenario, $"equip-mqtt-qos{level}"))
                {
                    foreach (var theirs in Of(scenario, $"mosquitto-qos{level}"))
                    {
                        Line(scenario, ours, theirs, scenario == "link-hop-latency" ? ["p50Us", "p99Us"] : ["appliedPerSec", "serverCpuUsPerValue", "p99Us"]);
                    }
                }
            }
        }
        foreach (var ours in Of("durable-writes", "equip").Where(l => Text(l, "store") == "postgres"))
        {
            foreach (var theirs in Of("durable-writes", "pgbench").Where(t => Number(t, "writers") == Number(ours, "writers")))
            {
                Line("durable-writes", ours, theirs, "writesPerSec", "p50Us", "p99Us");
            }
        }
        foreach (var ours in Of("connections", "equip"))
        {
            foreach (var theirs in Of("connections", "mosquitto").Where(t => Number(t, "connections") == Number(ours, "connections")))
            {
                Line("connections", ours, theirs, "serverRssMiB", "perConnectionKiB");
            }
        }
    }

    private static void Line(string scenario, JsonElement ours, JsonElement theirs, params string[] fields)
    {
        var line = new Dictionary<string, object?>
        {
            ["scenario"] = "ratio",
            ["of"] = scenario,
            ["equip"] = string.Join('/', new[] { Text(ours, "system") is { } system && system != "equip" ? system : null, Text(ours, "store"), Text(ours, "transport"), Number(ours, "writers")?.ToString(), Number(ours, "connections")?.ToString() }.Where(s => s is not null)),
            ["over"] = Text(theirs, "system"),
        };
        foreach (var field in fields)
        {
            line[field] = Report.Ratio(Number(ours, field), Number(theirs, field));
        }
        Report.Line(line);
    }

    private static string? Text(JsonElement line, string field) =>
        line.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Number(JsonElement line, string field) =>
        line.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
