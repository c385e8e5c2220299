using System.Collections.Concurrent;
using System.Diagnostics;

namespace Equip.Infrastructure.Observability;

/// At most one line a second per caller: a flood refused by the rate limits must not flood the log too.
public static class ThrottledWarning
{
    private static readonly ConcurrentDictionary<string, long> LastLogged = new();

    public static bool ShouldLog(string caller)
    {
        var now = Stopwatch.GetTimestamp();
        var last = LastLogged.GetOrAdd(caller, 0);
        if (last != 0 && Stopwatch.GetElapsedTime(last, now) < TimeSpan.FromSeconds(1))
        {
            return false;
        }
        if (LastLogged.Count > 10_000)
        {
            LastLogged.Clear(); // callers come and go; the table must not grow without end
        }
        LastLogged[caller] = now;
        return true;
    }
}
