using System.Diagnostics;

namespace Equip.Bench.Scenarios;

/// The bookkeeping of one link (or one MQTT topic) in the throughput scenarios: sequence numbers
/// sent, at most a window of them sent and not yet received; a received number supersedes every
/// smaller one not received (squashed), and a number never received nor superseded is lost.
internal sealed class LinkWindow(int window)
{
    private readonly SemaphoreSlim _room = new(window, window);
    private readonly long[] _sentAt = new long[4096];
    private readonly Lock _gate = new();
    private long _sent;
    private long _received;

    public long Applied { get; private set; }

    public long Squashed { get; private set; }

    public long OutOfOrder { get; private set; }

    public List<double> LatenciesUs { get; } = [];

    public long Sent => Interlocked.Read(ref _sent);

    /// Waits for room in the window, then takes the next sequence number and notes when it left.
    public async Task<long> NextAsync(CancellationToken stop)
    {
        await _room.WaitAsync(stop);
        var sequence = Interlocked.Increment(ref _sent);
        _sentAt[sequence % _sentAt.Length] = Stopwatch.GetTimestamp();
        return sequence;
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
            var superseded = sequence - _received - 1;
            _room.Release((int)(sequence - _received));
            _received = sequence;
            if (measuring)
            {
                Applied++;
                Squashed += superseded;
                LatenciesUs.Add(Latencies.Us(_sentAt[sequence % _sentAt.Length]));
            }
        }
    }

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

    /// 20 characters: the sequence number and a fixed fraction.
    public static string Payload(long sequence) => $"{sequence}.{new string('7', 19 - sequence.ToString().Length)}";

    /// The same as a number (about 17 significant digits survive).
    public static double Number(long sequence) => sequence + 0.7777777777777777;

    public static long Sequence(double value) => (long)Math.Floor(value);
}
