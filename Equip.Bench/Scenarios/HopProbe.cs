using System.Diagnostics;

namespace Equip.Bench.Scenarios;

/// One source and one linked destination, each in its own container on its own connection: a
/// hop sets the source and waits until the destination's container has applied the value
/// (device -> hub -> link engine -> hub -> device).
internal sealed class HopProbe : IAsyncDisposable
{
    private readonly Installation _installation;
    private readonly Equip.Client.Components.ComponentProperty<double> _source;
    private double _expected;
    private TaskCompletionSource _arrived = new();
    private long _next;

    private HopProbe(Installation installation, Equip.Client.Components.ComponentProperty<double> source, Equip.Client.Components.ComponentProperty<double> destination)
    {
        _installation = installation;
        _source = source;
        destination.Changed += value =>
        {
            if (value == Volatile.Read(ref _expected))
            {
                _arrived.TrySetResult();
            }
        };
    }

    public Installation Installation => _installation;

    /// The destination's property item, the one each hop writes.
    public Guid DestinationItem { get; private init; }

    public static Task<HopProbe> StartAsync(Uri server) => StartAsync([server]);

    /// The source's container on the first server, the destination's on the last (two nodes of a cluster).
    public static async Task<HopProbe> StartAsync(IReadOnlyList<Uri> servers)
    {
        var installation = await Installation.StartSpreadAsync(servers, containers: 2);
        var requests = await installation.AddComponentsAsync([0, 1]);
        await installation.LinkAsync([(requests[0], requests[1])]);
        var destination = installation.Level(requests[1]);
        var probe = new HopProbe(installation, installation.Level(requests[0]).Value, destination.Value)
        {
            DestinationItem = Equip.Protocol.Ect.PropertyItemId(destination.ComponentId, destination.Value.Name),
        };
        // The link becomes active once the engine has seen both ends: the first value waits for it.
        await probe.HopAsync();
        return probe;
    }

    /// One hop with a value not sent before; how long it took, in microseconds.
    public async Task<double> HopAsync()
    {
        var value = Interlocked.Increment(ref _next);
        _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _expected, value);
        var started = Stopwatch.GetTimestamp();
        _source.Value = value;
        await _arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return Latencies.Us(started);
    }

    /// The options' warm-up hops, then its measured ones.
    public Task<Latencies> MeasureAsync(BenchOptions options) => Latencies.OfHopsAsync(_ => HopAsync(), options);

    public ValueTask DisposeAsync() => _installation.DisposeAsync();
}
