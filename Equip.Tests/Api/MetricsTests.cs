using System.Net;
using System.Net.Http.Json;
using Equip.Tests.Support;

namespace Equip.Tests.Api;

/// /metrics shows the server's instruments in the Prometheus text format, with what was done.
/// Meters are seen process-wide, so this runs with no other test server alive.
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task MetricsShowCommitsEventsItemsPeersAndConnectionsInThePrometheusFormat()
    {
        using var store = TestStore.Sqlite();
        using var server = new EquipServer(store);
        using var http = server.NewClient();
        for (var i = 0; i < 3; i++)
        {
            var added = await http.PostAsJsonAsync("/api/items", new { type = "metrics.Probe", fields = new { i } });
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }
        var (device, _) = await HubClient.RegisterAsync(server.Address, "metrics-peer", "run-1");
        await using var _device = device;

        string text = "";
        await Wait.UntilAsync(async () =>
        {
            var response = await http.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync();
            return text.Contains("state=\"connected\"") && text.Contains("equip_hub_connections");
        }, "/metrics shows the connected peer");

        Assert.Contains("equip_items{otel_scope_name=\"Equip\",type=\"metrics.Probe\"} 3", text);
        Assert.Matches(@"equip_events_total\{[^}]*\} ([3-9]|\d\d+)", text);
        Assert.Matches(@"equip_commit_batch_size_count\{[^}]*\} [1-9]", text);
        Assert.Contains("equip_commit_duration_seconds_bucket", text);
        Assert.Matches(@"equip_peers\{[^}]*state=""connected""[^}]*\} 1", text);
        Assert.Matches(@"equip_hub_connections\{[^}]*\} 1", text);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics";
}
