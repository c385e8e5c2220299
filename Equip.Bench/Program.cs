using Equip.Bench;
using Equip.Bench.Compare;
using Equip.Bench.Dashboard;
using Equip.Bench.Scenarios;
using MQTTnet.Protocol;

// Each scenario prints one JSON line per result on stdout (progress goes to stderr); see
// docs/benchmarks.md for the scenarios, their options and the figures.
//   dotnet run -c Release --project Equip.Bench -- [--scenarios link-hop-latency,...] [--providers sqlite,postgres]
//       [--server URL [--server-pid PID]] [--compare] [--mqtt]
// What one open dashboard costs, and how fast the graph and the tree render (a markdown report):
//   dotnet run -c Release --project Equip.Bench -- --scenarios dashboard [--seconds 10] [--sizes 20,200,1000]
var options = BenchOptions.Parse(args);
BenchKey.Use(options.Key ?? Environment.GetEnvironmentVariable("EQUIP_KEY"));
await using var stores = new BenchStores();
Report.Line(new { scenario = "machine", cores = Environment.ProcessorCount, os = System.Runtime.InteropServices.RuntimeInformation.OSDescription, dotnet = Environment.Version.ToString(), startedAt = DateTimeOffset.UtcNow });
if (options.Scenarios.Contains("dashboard"))
{
    await DashboardBenchmark.RunAsync(options, stores, options.Seconds, options.DashboardSizes);
    return;
}
var results = new List<object>();
void Emit(object result)
{
    Report.Line(result);
    results.Add(result);
}
async Task OnEachStoreAsync(string scenario, Func<BenchServer, Task> run, IReadOnlyDictionary<string, string>? settings = null)
{
    if (!options.Scenarios.Contains(scenario))
    {
        return;
    }
    foreach (var store in options.Stores)
    {
        Report.Progress($"{scenario} on {store}");
        await using var server = await BenchServer.StartAsync(options, stores, store, settings);
        await run(server);
    }
}

await OnEachStoreAsync("link-hop-latency", async server => Emit(await LinkHopLatency.RunAsync(server, options)));
await OnEachStoreAsync("link-throughput", async server => Emit(await LinkThroughput.RunAsync(server, options)));
await OnEachStoreAsync("fan-in", async server => Emit(await FanIn.RunAsync(server, options)));
await OnEachStoreAsync("durable-writes", async server =>
{
    foreach (var transport in options.Transports)
    {
        foreach (var writers in options.Writers)
        {
            Emit(await DurableWrites.RunAsync(server, options, transport, writers));
        }
    }
});
await OnEachStoreAsync("lease-expiry", async server => Emit(await LeaseExpiry.RunAsync(server)));
await OnEachStoreAsync("disconnect-detection", async server => (await DisconnectDetection.RunAsync(server)).ToList().ForEach(Emit));
await OnEachStoreAsync("connections", async server => (await IdleConnections.RunAsync(server, options.Connections)).ToList().ForEach(Emit));
foreach (var rateLimits in new[] { true, false })
{
    await OnEachStoreAsync("flood", async server => Emit(await Flood.RunAsync(server, options, rateLimits)),
        new Dictionary<string, string> { ["Equip:RateLimits:Enabled"] = rateLimits ? "true" : "false" });
}
await OnEachStoreAsync("time-travel", async server => (await TimeTravel.RunAsync(server)).ToList().ForEach(Emit));
await OnEachStoreAsync("reconnect-storm", async server => Emit(await ReconnectStorm.RunAsync(server, options.Devices)));
if (options.Scenarios.Contains("failover") && options.Server is null)
{
    // Two nodes of a cluster on the bench's PostgreSQL, whatever --providers says (a cluster needs it).
    Report.Progress("failover on postgres");
    (await Failover.RunAsync(stores, Math.Min(options.Devices, 200))).ToList().ForEach(Emit);
    Emit(await FollowerFailover.RunAsync(stores, Math.Min(options.Devices, 200)));
}
if (options.Scenarios.Contains("cross-node") && options.Server is null)
{
    Report.Progress("cross-node on postgres");
    (await CrossNode.RunAsync(stores, options)).ToList().ForEach(Emit);
}

MqttQualityOfServiceLevel[] mqttLevels = [MqttQualityOfServiceLevel.AtMostOnce, MqttQualityOfServiceLevel.AtLeastOnce];
if (options.Mqtt)
{
    // The link shapes with MQTT clients on both ends, through Equip's broker and a link.
    foreach (var store in options.Stores)
    {
        await using var server = await BenchServer.StartAsync(options, stores, store);
        var route = await MqttLinks.PrepareAsync(server, options.Links);
        foreach (var qos in mqttLevels)
        {
            if (options.Scenarios.Contains("link-hop-latency"))
            {
                Report.Progress($"link-hop-latency on {MqttLinks.System(qos)}, {store}");
                Emit(await MqttScenarios.HopAsync(route with { System = MqttLinks.System(qos) }, qos, options));
            }
            if (options.Scenarios.Contains("link-throughput"))
            {
                Report.Progress($"link-throughput on {MqttLinks.System(qos)}, {store}");
                Emit(await MqttScenarios.ThroughputAsync(route with { System = MqttLinks.System(qos) }, qos, options));
            }
        }
    }
}

if (options.Compare)
{
    await using var broker = await MosquittoBroker.StartAsync(stores);
    MqttQualityOfServiceLevel[] levels = [MqttQualityOfServiceLevel.AtMostOnce, MqttQualityOfServiceLevel.AtLeastOnce];
    if (options.Scenarios.Contains("link-hop-latency"))
    {
        foreach (var qos in levels)
        {
            Report.Progress($"link-hop-latency on {MqttScenarios.System(qos)}");
            Emit(await MqttScenarios.HopAsync(broker, qos, options));
        }
    }
    if (options.Scenarios.Contains("link-throughput"))
    {
        foreach (var qos in levels)
        {
            Report.Progress($"link-throughput on {MqttScenarios.System(qos)}");
            Emit(await MqttScenarios.ThroughputAsync(broker, qos, options));
        }
    }
    if (options.Scenarios.Contains("connections"))
    {
        Report.Progress("connections on mosquitto");
        (await MqttScenarios.IdleConnectionsAsync(broker, options.Connections)).ToList().ForEach(Emit);
    }
    if (options.Scenarios.Contains("durable-writes") && options.Server is null)
    {
        foreach (var writers in options.Writers)
        {
            Report.Progress($"durable-writes on pgbench, {writers} clients");
            Emit(await PgBench.RunAsync(stores, writers, options));
        }
    }
    Ratios.Print(results);
}
