namespace Equip.Bench.Scenarios;

/// The bookkeeping of one fan-in link: the sequence numbers its source was set to, and those its
/// display received. A received number supersedes every smaller one not received (squashed);
/// numbers set that no received number reached are lost, unless still on their way.
internal sealed class FanInTrack
{
    private readonly long[] _sentAt = new long[1024];
    private readonly Lock _gate = new();
    private long _sent;
    private long _received;

    public long Applied { get; private set; }

    public long Squashed { get; private set; }

    public long OutOfOrder { get; private set; }

    public List<double> LatenciesUs { get; } = [];

    public long Outstanding => Interlocked.Read(ref _sent) - Interlocked.Read(ref _received);

    public void Sent(long sequence, long at)
    {
        _sentAt[sequence % _sentAt.Length] = at;
        Interlocked.Exchange(ref _sent, sequence);
    }

    /// A value arrived at the display; counted only while measuring.
    public void Receive(long sequence, bool measuring)
    {
        lock (_gate)
        {
            if (sequence <= _received)
            {
                OutOfOrder += measuring ? 1 : 0;
                return;
            }
            var superseded = sequence - _received - 1;
            Interlocked.Exchange(ref _received, sequence);
            if (measuring)
            {
                Applied++;
                Squashed += superseded;
                LatenciesUs.Add(Latencies.Us(_sentAt[sequence % _sentAt.Length]));
            }
        }
    }
}
