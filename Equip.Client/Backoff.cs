namespace Equip.Client;

/// Exponential backoff with jitter: each delay is drawn from the upper half of a window that
/// doubles per failure up to the cap, so a crowd of clients does not return in step.
internal sealed class Backoff(TimeSpan initial, TimeSpan cap)
{
    private int _failures;

    public TimeSpan Next()
    {
        var window = Math.Min(cap.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Min(_failures, 30)));
        _failures++;
        return TimeSpan.FromMilliseconds(window / 2 + Random.Shared.NextDouble() * window / 2);
    }

    public void Reset() => _failures = 0;
}
