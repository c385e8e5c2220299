using System.Diagnostics;
using Equip.Bench.Scenarios;
using MQTTnet;
using MQTTnet.Protocol;

namespace Equip.Bench.Compare;

/// The shapes of link-hop-latency, link-throughput and connections with Mosquitto in Equip's
/// place: a topic per link, one publishing connection and one subscribed connection each.
internal static class MqttScenarios
{
    public static string System(MqttQualityOfServiceLevel qos) => $"mosquitto-qos{(int)qos}";

    public static async Task<object> HopAsync(MosquittoBroker broker, MqttQualityOfServiceLevel qos, BenchOptions options)
    {
        var expected = 0L;
        TaskCompletionSource arrived = new();
        using var subscriber = await MqttPeer.SubscriberAsync(broker.Port, "hop-sink", "bench/hop", qos, sequence =>
        {
            if (sequence == Volatile.Read(ref expected))
            {
                arrived.TrySetResult();
            }
        });
        using var publisher = await MqttPeer.ConnectAsync(broker.Port, "hop-source");
        async Task<double> HopAsync(long sequence)
        {
            arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref expected, sequence);
            var started = Stopwatch.GetTimestamp();
            await MqttPeer.PublishAsync(publisher, "bench/hop", LinkWindow.Payload(sequence), qos);
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
            return Latencies.Us(started);
        }
        var latencies = await Latencies.OfHopsAsync(HopAsync, options);
        return new { scenario = "link-hop-latency", system = System(qos), hops = latencies.Count, p50Us = latencies.P50Us, p99Us = latencies.P99Us, meanUs = latencies.MeanUs };
    }

    public static async Task<object> ThroughputAsync(MosquittoBroker broker, MqttQualityOfServiceLevel qos, BenchOptions options)
    {
        var windows = Enumerable.Range(0, options.Links).Select(_ => new LinkWindow(options.Window)).ToArray();
        var stretch = new MeasuredStretch();
        var clients = new List<IMqttClient>();
        var publishers = new IMqttClient[options.Links];
        for (var i = 0; i < options.Links; i++)
        {
            var window = windows[i];
            clients.Add(await MqttPeer.SubscriberAsync(broker.Port, $"sink-{i}", $"bench/link/{i}", qos, s => window.Receive(s, stretch.Measuring)));
            clients.Add(publishers[i] = await MqttPeer.ConnectAsync(broker.Port, $"source-{i}"));
        }
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, options.Links).Select(i => Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await MqttPeer.PublishAsync(publishers[i], $"bench/link/{i}", LinkWindow.Payload(await windows[i].NextAsync(stop.Token)), qos);
                }
            }
            catch (OperationCanceledException)
            {
            }
        })).ToArray();
        await stretch.RunAsync(options, () => broker.ProcessorTime);
        await stop.CancelAsync();
        await Task.WhenAll(senders);
        var lost = await LinkThroughput.DrainAsync(windows);
        foreach (var client in clients)
        {
            client.Dispose();
        }
        return LinkThroughput.Result(System(qos), "memory", windows, stretch, lost);
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
