using System.Diagnostics;
using Equip.Protocol;
using Microsoft.AspNetCore.SignalR;

namespace Equip.Client;

/// When the server answers rate-limited, the client sends no more writes for the time it asks,
/// then wakes its loop (through resume) to carry on.
internal sealed class RateLimitPause(Action resume)
{
    private static readonly TimeSpan DefaultPause = TimeSpan.FromMilliseconds(100);
    private long _until;

    public bool IsPaused => Stopwatch.GetTimestamp() < Interlocked.Read(ref _until);

    /// Pauses when the refusal is the rate limit's; true when it was.
    public bool PauseIfRateLimited(HubException refused)
    {
        if (HubErrors.CodeOf(refused.Message) != HubErrors.RateLimited)
        {
            return false;
        }
        var wait = HubErrors.RetryAfterOf(refused.Message) ?? DefaultPause;
        Interlocked.Exchange(ref _until, Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency));
        _ = ResumeAfterAsync(wait);
        return true;
    }

    private async Task ResumeAfterAsync(TimeSpan wait)
    {
        await Task.Delay(wait + TimeSpan.FromMilliseconds(1));
        resume();
    }
}
