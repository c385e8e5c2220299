using Equip.Domain.Dataspace;

namespace Equip.Web.Dashboard.Live;

/// The latest change events (a bounded ring) and the rate they arrive at, over the last few seconds.
internal sealed class EventLog(int capacity, TimeProvider time)
{
    private const int RateSeconds = 5;
    private readonly Queue<ChangeEvent> _latest = new();
    private readonly long[] _perSecond = new long[RateSeconds + 1];
    private long _second = long.MinValue;

    public void Add(IReadOnlyList<ChangeEvent> events)
    {
        foreach (var change in events)
        {
            _latest.Enqueue(change);
        }
        while (_latest.Count > capacity)
        {
            _latest.Dequeue();
        }
        Advance();
        _perSecond[_second % _perSecond.Length] += events.Count;
    }

    /// Newest first.
    public IReadOnlyList<ChangeEvent> Latest() => [.. _latest.Reverse()];

    /// Events per second over the last whole seconds.
    public double Rate()
    {
        Advance();
        long total = 0;
        for (var ago = 1; ago <= RateSeconds; ago++)
        {
            total += _perSecond[(_second - ago) % _perSecond.Length];
        }
        return total / (double)RateSeconds;
    }

    private void Advance()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (_second == long.MinValue)
        {
            _second = now;
        }
        for (var s = Math.Max(_second + 1, now - RateSeconds); s <= now; s++)
        {
            _perSecond[s % _perSecond.Length] = 0;
        }
        _second = Math.Max(_second, now);
    }
}
