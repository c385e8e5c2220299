namespace Equip.Infrastructure.Dataspace.Live;

/// Waiting for a revision to be applied: a follower answers a write the leader made, or starts a
/// subscription resuming from a revision, only once its own live items have reached it
/// (docs/scaling.md). On a leader every answered revision is applied already, so nobody waits.
internal sealed partial class LiveItems
{
    private readonly Lock _waitGate = new();
    private readonly List<(long Revision, TaskCompletionSource Applied)> _waiters = [];
    private int _waiting;

    /// Completes once the revision is applied, or after within (false then).
    public async Task<bool> WaitForAsync(long revision, TimeSpan within, CancellationToken cancellationToken)
    {
        if (Revision >= revision)
        {
            return true;
        }
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitGate)
        {
            _waiters.Add((revision, applied));
            Interlocked.Increment(ref _waiting);
        }
        if (Revision >= revision)
        {
            ReleaseThrough(Revision);
        }
        try
        {
            await applied.Task.WaitAsync(within, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            lock (_waitGate)
            {
                if (_waiters.RemoveAll(w => w.Applied == applied) > 0)
                {
                    Interlocked.Decrement(ref _waiting);
                }
            }
        }
    }

    private void ReleaseThrough(long revision)
    {
        if (Volatile.Read(ref _waiting) == 0)
        {
            return;
        }
        lock (_waitGate)
        {
            foreach (var (wanted, applied) in _waiters)
            {
                if (wanted <= revision)
                {
                    applied.TrySetResult();
                }
            }
        }
    }
}
