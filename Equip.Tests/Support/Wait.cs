using Equip.Domain.Dataspace;

namespace Equip.Tests.Support;

public static class Wait
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// Completes with the first committed event that satisfies the predicate.
    public static async Task<ChangeEvent> ForEventAsync(IChangeFeed feed, Func<ChangeEvent, bool> predicate, Func<Task> trigger)
    {
        var seen = new TaskCompletionSource<ChangeEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = feed.Subscribe(events =>
        {
            foreach (var change in events.Where(predicate))
            {
                seen.TrySetResult(change);
            }
        });
        await trigger();
        return await seen.Task.WaitAsync(Timeout);
    }

    /// Polls until the condition holds; for effects that have no event to wait on.
    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }
            await Task.Delay(20);
        }
    }
}
