using Equip.Protocol;

namespace Equip.Client;

/// The client's subscriptions, and which of them the current connection has yet to make.
internal sealed class Replicas
{
    private readonly Dictionary<string, Replica> _all = new();
    private readonly HashSet<Replica> _unsubscribed = new();
    private int _made;

    public Replica Add(WirePattern pattern)
    {
        var replica = new Replica($"s{Interlocked.Increment(ref _made)}", pattern);
        lock (_all)
        {
            _all[replica.SubscriptionId] = replica;
            _unsubscribed.Add(replica);
        }
        return replica;
    }

    public Replica? Of(string subscriptionId)
    {
        lock (_all)
        {
            return _all.GetValueOrDefault(subscriptionId);
        }
    }

    /// A value this client set was applied: every replica holding the item takes it.
    public void ApplyOwnValue(Guid id, System.Text.Json.JsonElement value, long revision)
    {
        Replica[] all;
        lock (_all)
        {
            all = [.. _all.Values];
        }
        foreach (var replica in all)
        {
            replica.ApplyOwnValue(id, value, revision);
        }
    }

    public Replica? NextUnsubscribed()
    {
        lock (_all)
        {
            return _unsubscribed.FirstOrDefault();
        }
    }

    public void Subscribed(Replica replica)
    {
        lock (_all)
        {
            _unsubscribed.Remove(replica);
        }
    }

    /// A new connection has none of them yet.
    public void ResubscribeAll()
    {
        lock (_all)
        {
            _unsubscribed.UnionWith(_all.Values);
        }
    }
}
