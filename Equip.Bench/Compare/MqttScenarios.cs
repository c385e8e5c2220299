using System.Diagnostics;
using Equip.Bench.Scenarios;
using MQTTnet;
using MQTTnet.Protocol;

namespace Equip.Bench.Compare;

/// The shapes of link-hop-latency, link-throughput and connections with MQTT clients: through
/// Mosquitto in Equip's place (a topic per link, one publishing connection and one subscribed
/// connection each), or through Equip's own broker (--mqtt: a source topic linked to a sink topic,
/// see MqttLinks).
internal static class MqttScenarios
{
    public static string System(MqttQualityOfServiceLevel qos) => $"mosquitto-qos{(int)qos}";

    public static Task<object> HopAsync(MosquittoBroker broker, MqttQualityOfServiceLevel qos, BenchOptions options) =>
        HopAsync(new MqttRoute(broker.Port, System(qos), "memory", null, _ => "bench/hop", _ => "bench/hop", () => broker.ProcessorTime), qos, options);

    public static Task<object> ThroughputAsync(MosquittoBroker broker, MqttQualityOfServiceLevel qos, BenchOptions options) =>
        ThroughputAsync(new MqttRoute(broker.Port, System(qos), "memory", null, i => $"bench/link/{i}", i => $"bench/link/{i}", () => broker.ProcessorTime), qos, options);

    public static async Task<object> HopAsync(MqttRoute route, MqttQualityOfServiceLevel qos, BenchOptions options)
    {
        var expected = 0L;
        TaskCompletionSource arrived = new();
        using var subscriber = await MqttPeer.SubscriberAsync(route.Port, "hop-sink", route.Sink(-1), qos, sequence =>
        {
            if (sequence == Volatile.Read(ref expected))
            {
                arrived.TrySetResult();
            }
        }, route.Key);
        using var publisher = await MqttPeer.ConnectAsync(route.Port, "hop-source", key: route.Key);
        async Task<double> HopAsync(long sequence)
        {
            arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref expected, sequence);
            var started = Stopwatch.GetTimestamp();
            await MqttPeer.PublishAsync(publisher, route.Source(-1), LinkWindow.Payload(sequence), qos);
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
            return Latencies.Us(started);
        }
        var latencies = await Latencies.OfHopsAsync(HopAsync, options);
        return new { scenario = "link-hop-latency", system = route.System, store = route.Store, hops = latencies.Count, p50Us = latencies.P50Us, p99Us = latencies.P99Us, meanUs = latencies.MeanUs };
    }

    public static async Task<object> ThroughputAsync(MqttRoute route, MqttQualityOfServiceLevel qos, BenchOptions options)
    {
        var windows = Enumerable.Range(0, options.Links).Select(_ => new LinkWindow(options.Window)).ToArray();
        var stretch = new MeasuredStretch();
        var clients = new List<IMqttClient>();
        var publishers = new IMqttClient[options.Links];
        for (var i = 0; i < options.Links; i++)
        {
            var window = windows[i];
            clients.Add(await MqttPeer.SubscriberAsync(route.Port, $"sink-{i}", route.Sink(i), qos, s => window.Receive(s, stretch.Measuring), route.Key));
            clients.Add(publishers[i] = await MqttPeer.ConnectAsync(route.Port, $"source-{i}", key: route.Key));
        }
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, options.Links).Select(i => Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await MqttPeer.PublishAsync(publishers[i], route.Source(i), LinkWindow.Payload(await windows[i].NextAsync(stop.Token)), qos);
                }
            }
            catch (OperationCanceledException)
            {
            }
        })).ToArray();
        await stretch.RunAsync(options, route.ProcessorTime);
        await stop.CancelAsync();
        await Task.WhenAll(senders);
        var lost = await LinkThroughput.DrainAsync(windows);
        foreach (var client in clients)
        {
            client.Dispose();
        }
        return LinkThroughput.Result(route.System, route.Store, windows, stretch, lost);
    }

    public static Task<object[]> IdleConnectionsAsync(MosquittoBroker broker, int[] steps) =>
        ConnectionSteps.RunAsync("mosquitto", null, steps, () => broker.ResidentBytes,
            (i, _) => MqttPeer.ConnectAsync(broker.Port, $"idle-{i}", TimeSpan.FromSeconds(3)),
            c => c.IsConnected,
            c =>
            {
                c.Dispose();
                return ValueTask.CompletedTask;
            });
}

/// Where MQTT scenario traffic goes: the broker's port, the system and store named in the
/// results, the key (Equip's broker), the topic link i is published on and the one it is received
/// from (i = -1: the hop's), and the broker's processor time.
internal sealed record MqttRoute(int Port, string System, string Store, string? Key, Func<int, string> Source, Func<int, string> Sink, Func<TimeSpan?> ProcessorTime);
