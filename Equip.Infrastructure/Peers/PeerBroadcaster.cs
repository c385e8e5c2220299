using Equip.Domain.Peers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.Peers;

/// Hands committed peer transitions to in-process subscribers, on the writer's thread, and keeps
/// the latest ones (Equip:Peers:TransitionHistory) for subscribers that come later.
public sealed class PeerBroadcaster(IOptions<PeerOptions> options, ILogger<PeerBroadcaster> logger) : IPeerFeed
{
    private readonly Lock _lock = new();
    private readonly Queue<PeerTransition> _history = new();
    private readonly List<Action<IReadOnlyList<PeerTransition>>> _subscribers = [];

    public IDisposable Subscribe(Action<IReadOnlyList<PeerTransition>> onCommitted)
    {
        lock (_lock)
        {
            onCommitted([.. _history]);
            _subscribers.Add(onCommitted);
        }
        return new Unsubscriber(this, onCommitted);
    }

    internal void Publish(IReadOnlyList<PeerTransition> transitions)
    {
        if (transitions.Count == 0)
        {
            return;
        }
        lock (_lock)
        {
            foreach (var transition in transitions)
            {
                _history.Enqueue(transition);
            }
            while (_history.Count > options.Value.TransitionHistory)
            {
                _history.Dequeue();
            }
            foreach (var subscriber in _subscribers)
            {
                try
                {
                    subscriber(transitions);
                }
                catch (Exception error)
                {
                    PeerBroadcasterLog.SubscriberFailed(logger, error);
                }
            }
        }
    }

    private void Remove(Action<IReadOnlyList<PeerTransition>> subscriber)
    {
        lock (_lock)
        {
            _subscribers.Remove(subscriber);
        }
    }

    private sealed class Unsubscriber(PeerBroadcaster owner, Action<IReadOnlyList<PeerTransition>> subscriber) : IDisposable
    {
        public void Dispose() => owner.Remove(subscriber);
    }
}

internal static partial class PeerBroadcasterLog
{
    [LoggerMessage(1, LogLevel.Error, "A peer transition subscriber threw; it stays subscribed.")]
    public static partial void SubscriberFailed(ILogger logger, Exception error);
}
