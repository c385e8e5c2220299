using System.Diagnostics;

namespace Equip.Bench.Scenarios;

/// One link (or one MQTT topic) of the throughput scenarios: a sequence track whose sender keeps
/// at most a window of numbers sent and not yet received (or superseded).
internal sealed class LinkWindow(int window) : SequenceTrack
{
    private readonly SemaphoreSlim _room = new(window, window);
    private long _next;

    /// Waits for room in the window, then takes the next sequence number and notes when it left.
    public async Task<long> NextAsync(CancellationToken stop)
    {
        await _room.WaitAsync(stop);
        var sequence = Interlocked.Increment(ref _next);
        Record(sequence, Stopwatch.GetTimestamp());
        return sequence;
    }

    protected override void Arrived(long count) => _room.Release((int)count);

    /// 20 characters: the sequence number and a fixed fraction.
    public static string Payload(long sequence) => $"{sequence}.{new string('7', 19 - sequence.ToString().Length)}";

    /// The same as a number (about 17 significant digits survive).
    public static double Number(long sequence) => sequence + 0.7777777777777777;

    public static long Sequence(double value) => (long)Math.Floor(value);
}
