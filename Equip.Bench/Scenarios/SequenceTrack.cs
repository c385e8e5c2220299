namespace Equip.Bench.Scenarios;

/// The bookkeeping of one stream of sequence numbers (a link, an MQTT topic, a fan-in reading):
/// the numbers sent and when, the numbers received. A received number supersedes every smaller one
/// not received (squashed); numbers sent that no received number reached are lost, unless still
/// on their way.
internal class SequenceTrack
{
    private readonly long[] _sentAt = new long[4096];
    private readonly Lock _gate = new();
    private long _sent;
    private long _received;

    public long Applied { get; private set; }

    public long Squashed { get; private set; }

    public long OutOfOrder { get; private set; }

    public List<double> LatenciesUs { get; } = [];

    public long Sent => Interlocked.Read(ref _sent);

    /// Numbers sent that no received number reached: lost, unless they are still on their way.
    public long Outstanding
    {
        get
        {
            lock (_gate)
            {
                return Sent - _received;
            }
        }
    }

    /// The number was sent at the timestamp (numbers are sent in increasing order).
    public void Record(long sequence, long at)
    {
        _sentAt[sequence % _sentAt.Length] = at;
        Interlocked.Exchange(ref _sent, sequence);
    }

    /// A value arrived; counted only while measuring.
    public void Receive(long sequence, bool measuring)
    {
        lock (_gate)
        {
            if (sequence <= _received)
            {
                OutOfOrder += measuring ? 1 : 0;
                return;
            }
            var arrived = sequence - _received;
            _received = sequence;
            Arrived(arrived);
            if (measuring)
            {
                Applied++;
                Squashed += arrived - 1;
                LatenciesUs.Add(Latencies.Us(_sentAt[sequence % _sentAt.Length]));
            }
        }
    }

    /// So many numbers were received or superseded by the one that arrived.
    protected virtual void Arrived(long count)
    {
    }
}
