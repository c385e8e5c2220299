using System.Net.Http.Json;
using System.Text.Json;
using Equip.Testing;
using MQTTnet.Protocol;

namespace Equip.Bench.Compare;

/// The MQTT shapes through Equip's own broker (--mqtt): each link is a source topic
/// (`bench/src/<i>`) linked to a sink topic (`bench/dst/<i>`), both components of the broker's
/// container; the sink's subscriber receives what the link carries. Against Mosquitto the same
/// clients use one topic per link (docs/benchmarks.md).
internal static class MqttLinks
{
    public static string System(MqttQualityOfServiceLevel qos) => $"equip-mqtt-qos{(int)qos}";

    /// Makes the topics of the links (and of the hop, -1) by publishing on each once, links them
    /// through REST, and returns the route of the scenarios.
    public static async Task<MqttRoute> PrepareAsync(BenchServer server, int links)
    {
        var port = server.MqttPort ?? throw new InvalidOperationException("--mqtt needs a server the bench starts (its MQTT port is not known for --server).");
        using var http = TestHttp.Client(server.Address, TimeSpan.FromSeconds(60), BenchKey.Value);
        using var maker = await MqttPeer.ConnectAsync(port, "bench-topics", key: BenchKey.Value);
        var ends = Enumerable.Range(-1, links + 1).ToArray();
        foreach (var i in ends)
        {
            await MqttPeer.PublishAsync(maker, Source(i), "0.5", MqttQualityOfServiceLevel.AtLeastOnce);
            await MqttPeer.PublishAsync(maker, Sink(i), "0.5", MqttQualityOfServiceLevel.AtLeastOnce);
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await http.GetFromJsonAsync<JsonElement>("/api/components")).EnumerateArray().Count(c => c.GetProperty("capability").GetString() == "mqtt.Topic") < 2 * ends.Length)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting until the topics are components.");
            }
            await Task.Delay(50);
        }
        foreach (var i in ends)
        {
            var made = await http.PostAsJsonAsync("/api/links", new
            {
                source = new { containerId = "mqtt", component = Source(i), property = "value" },
                destination = new { containerId = "mqtt", component = Sink(i), property = "value" },
            });
            made.EnsureSuccessStatusCode();
        }
        return new MqttRoute(port, System(MqttQualityOfServiceLevel.AtMostOnce), server.Store, BenchKey.Value, Source, Sink, () => server.ProcessorTime);
    }

    private static string Source(int i) => i < 0 ? "bench/src/hop" : $"bench/src/{i}";

    private static string Sink(int i) => i < 0 ? "bench/dst/hop" : $"bench/dst/{i}";
}
