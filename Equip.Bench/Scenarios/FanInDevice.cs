using System.Diagnostics;

namespace Equip.Bench.Scenarios;

/// One fan-in device: sets every reading of its sensor to the next sequence number at a steady
/// rate, without waiting for the server (a reading set before the previous one left takes its
/// place in the client's queue).
internal sealed class FanInDevice(Sensor sensor, SequenceTrack[] tracks)
{
    private long _sequence;
    private long _offered;

    /// Values set so far.
    public long Offered => Interlocked.Read(ref _offered);

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / FanIn.PerSecond));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                Tick();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// Every reading takes the next sequence number.
    public void Tick()
    {
        var sequence = ++_sequence;
        var at = Stopwatch.GetTimestamp();
        for (var i = 0; i < tracks.Length; i++)
        {
            tracks[i].Record(sequence, at);
            sensor.Readings[i].Value = sequence;
        }
        Interlocked.Add(ref _offered, tracks.Length);
    }
}
