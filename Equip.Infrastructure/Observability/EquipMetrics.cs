using System.Diagnostics.Metrics;

namespace Equip.Infrastructure.Observability;

/// The server's own instruments, on the "Equip" meter (exported at /metrics in the Prometheus
/// format; docs/operations.md lists them). Gauges read the live state when scraped.
public sealed class EquipMetrics : IDisposable
{
    public const string MeterName = "Equip";

    private readonly Meter _meter;
    private readonly Counter<long> _events;
    private readonly Counter<long> _propagations;
    private readonly Histogram<double> _commitLatency;
    private readonly Histogram<long> _batchSize;
    private readonly Histogram<double> _flushWait;
    private readonly UpDownCounter<long> _connections;

    public EquipMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _events = _meter.CreateCounter<long>("equip.events", "{event}", "Change events published (one per revision).");
        _propagations = _meter.CreateCounter<long>("equip.link.propagations", "{value}", "Values the links carried to a destination property (in the writer's batch that changed the source).");
        _commitLatency = _meter.CreateHistogram<double>("equip.commit.duration", "s", "Time a commit of the store took, from opening its transaction to COMMIT.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5] });
        _batchSize = _meter.CreateHistogram<long>("equip.commit.batch_size", "{write}", "Writes in one group commit.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024] });
        _flushWait = _meter.CreateHistogram<double>("equip.writer.flush_wait", "s", "Time the writer waited for the flush under way before a batch could open the store (by: an operation that reads or writes the store, or the batch's commit).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5] });
        _connections = _meter.CreateUpDownCounter<long>("equip.hub.connections", "{connection}", "Open device hub connections.");
    }

    public void Published(int events) => _events.Add(events);

    public void Committed(TimeSpan took, int writes)
    {
        _commitLatency.Record(took.TotalSeconds);
        _batchSize.Record(writes);
    }

    public void WaitedForFlush(TimeSpan took, bool byOperation) =>
        _flushWait.Record(took.TotalSeconds, new KeyValuePair<string, object?>("by", byOperation ? "operation" : "commit"));

    public void Propagated() => _propagations.Add(1);

    public void ConnectionOpened() => _connections.Add(1);

    public void ConnectionClosed() => _connections.Add(-1);

    /// Gauges read when scraped: items by type, peers by state.
    public void Observe(Func<IEnumerable<KeyValuePair<string, int>>> itemsByType, Func<IEnumerable<KeyValuePair<string, int>>> peersByState)
    {
        _meter.CreateObservableGauge("equip.items", () => itemsByType().Select(t => new Measurement<int>(t.Value, new KeyValuePair<string, object?>("type", t.Key))),
            "{item}", "Current items, by type.");
        _meter.CreateObservableGauge("equip.peers", () => peersByState().Select(p => new Measurement<int>(p.Value, new KeyValuePair<string, object?>("state", p.Key))),
            "{peer}", "Known peers, by state.");
    }

    /// Gauges of a cluster's node (docs/scaling.md): the term it leads in, and whether it leads now.
    public void ObserveCluster(Func<long?> term, Func<bool> leads)
    {
        _meter.CreateObservableGauge("equip.cluster.term", () => term() is { } t ? [new Measurement<long>(t)] : Array.Empty<Measurement<long>>(),
            "{term}", "The term this node leads in.");
        _meter.CreateObservableGauge("equip.cluster.leader", () => leads() ? 1 : 0, "{node}", "1 while this node holds the cluster's lock, else 0.");
    }

    public void Dispose() => _meter.Dispose();
}
