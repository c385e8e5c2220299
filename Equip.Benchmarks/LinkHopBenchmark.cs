using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Client.Components;

namespace Equip.Benchmarks;

/// A value set by a component on one device, carried by a link to a component on another: the
/// time from the set until the destination component has the value, through the server process
/// (device -> hub -> store -> link engine -> store -> hub -> device).
internal static class LinkHopBenchmark
{
    public static async Task RunAsync((Dictionary<string, string> Settings, string Directory) store, int hops)
    {
        await using var server = await Equip.Testing.ServerProcess.StartAsync(store.Settings, store.Directory);
        await using var sourceClient = Client(server.Address, "bench-source");
        await using var sinkClient = Client(server.Address, "bench-sink");
        await using var sourceContainer = new ComponentContainer(sourceClient, "bench-source");
        await using var sinkContainer = new ComponentContainer(sinkClient, "bench-sink");
        sourceContainer.Export<Level>("Level");
        sinkContainer.Export<Level>("Level");
        await sourceContainer.StartAsync();
        await sinkContainer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.Address };
        var source = await RequestAsync(http, "bench-source");
        var sink = await RequestAsync(http, "bench-sink");
        await http.PostAsJsonAsync("/api/links", new
        {
            source = new { componentRequestId = source, property = "value" },
            destination = new { componentRequestId = sink, property = "value" },
        });
        var from = await LaunchedAsync(sourceContainer, source);
        var to = await LaunchedAsync(sinkContainer, sink);

        var latencies = new List<double>(hops);
        for (var hop = 1; hop <= hops; hop++)
        {
            var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var expected = (double)hop;
            void OnChanged(double value)
            {
                if (value == expected)
                {
                    arrived.TrySetResult();
                }
            }
            to.Value.Changed += OnChanged;
            var started = Stopwatch.GetTimestamp();
            from.Value.Value = expected;
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            to.Value.Changed -= OnChanged;
        }
        latencies.Sort();
        var measured = latencies.Skip(Math.Min(10, hops / 10)).ToList(); // the first hops warm up
        Console.WriteLine($"| {measured.Count} | {measured[measured.Count / 2]:F1} | {measured[(int)(measured.Count * 0.99)]:F1} | {measured.Average():F1} |");
    }

    private static EquipClient Client(Uri server, string containerId)
    {
        var client = new EquipClient(new EquipClientOptions { Server = server, PeerId = containerId });
        client.Start();
        return client;
    }

    private static async Task<Guid> RequestAsync(HttpClient http, string containerId)
    {
        var response = await http.PostAsJsonAsync("/api/component-requests", new { capability = "Level", containerId });
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<Level> LaunchedAsync(ComponentContainer container, Guid request)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!container.Components.ContainsKey(request.ToString()))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The component for {request} did not launch.");
            }
            await Task.Delay(20);
        }
        await Task.Delay(500); // let the link engine see both ends
        return (Level)container.Components[request.ToString()];
    }

    /// A writable number.
    public sealed class Level : Component
    {
        public Level() => Value = Property("value", 0.0);

        public ComponentProperty<double> Value { get; }
    }
}
