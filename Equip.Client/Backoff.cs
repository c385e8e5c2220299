namespace Equip.Client;

/// Exponential backoff with jitter: each delay is drawn from the upper half of a window that
/// doubles per failure up to the cap, so a crowd of clients does not return in step. While the
/// server is restarting (see ServerRestarting) the window stops at the shorter restart cap.
internal sealed class Backoff(TimeSpan initial, TimeSpan cap, TimeSpan restartCap)
{
    private int _failures;

    public TimeSpan Next(bool restarting = false)
    {
        var ceiling = restarting ? Math.Min(cap.TotalMilliseconds, restartCap.TotalMilliseconds) : cap.TotalMilliseconds;
        var window = Math.Min(ceiling, initial.TotalMilliseconds * Math.Pow(2, Math.Min(_failures, 30)));
        _failures++;
        return TimeSpan.FromMilliseconds(window / 2 + Random.Shared.NextDouble() * window / 2);
    }

    public void Reset() => _failures = 0;
}
