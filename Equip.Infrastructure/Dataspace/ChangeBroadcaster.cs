using System.Collections.Immutable;
using Equip.Domain.Dataspace;
using Microsoft.Extensions.Logging;

namespace Equip.Infrastructure.Dataspace;

/// Hands committed events to in-process subscribers, in revision order, on the writer's thread:
/// subscribers must only queue work.
public sealed class ChangeBroadcaster(ILogger<ChangeBroadcaster> logger) : IChangeFeed
{
    private ImmutableArray<Action<IReadOnlyList<ChangeEvent>>> _subscribers = [];

    public IDisposable Subscribe(Action<IReadOnlyList<ChangeEvent>> onCommitted)
    {
        ImmutableInterlocked.Update(ref _subscribers, s => s.Add(onCommitted));
        return new Subscription(() => ImmutableInterlocked.Update(ref _subscribers, s => s.Remove(onCommitted)));
    }

    internal void Publish(IReadOnlyList<ChangeEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }
        foreach (var subscriber in _subscribers)
        {
            try
            {
                subscriber(events);
            }
            catch (Exception error)
            {
                ChangeBroadcasterLog.SubscriberFailed(logger, error);
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                dispose();
            }
        }
    }
}

internal static partial class ChangeBroadcasterLog
{
    [LoggerMessage(1, LogLevel.Error, "A change subscriber threw; it stays subscribed.")]
    public static partial void SubscriberFailed(ILogger logger, Exception error);
}
