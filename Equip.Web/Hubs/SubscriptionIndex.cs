namespace Equip.Web.Hubs;

/// The live subscriptions by the types their patterns can match: exact types in one table, type
/// prefixes (`ect.*`, and `*`, the empty prefix) in another. An event's candidates are the
/// subscriptions of its exact type and of each prefix of its type that some pattern uses, so the
/// cost of finding them grows with the number of distinct prefix lengths, not with the number of
/// subscriptions; a subscription of another type is never looked at. Not thread-safe: the
/// dispatcher guards it.
internal sealed class SubscriptionIndex
{
    private readonly Dictionary<string, HashSet<Subscription>> _byType = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Subscription>> _byPrefix = new(StringComparer.Ordinal);
    private int[] _prefixLengths = [];

    public int Count { get; private set; }

    public void Add(Subscription subscription)
    {
        var pattern = subscription.Pattern;
        var table = pattern.IsPrefix ? _byPrefix : _byType;
        var key = pattern.IsPrefix ? pattern.TypePrefix : pattern.Type;
        if (!table.TryGetValue(key, out var subscriptions))
        {
            table[key] = subscriptions = [];
            if (pattern.IsPrefix)
            {
                CountPrefixLengths();
            }
        }
        if (subscriptions.Add(subscription))
        {
            Count++;
        }
    }

    public void Remove(Subscription subscription)
    {
        var pattern = subscription.Pattern;
        var table = pattern.IsPrefix ? _byPrefix : _byType;
        var key = pattern.IsPrefix ? pattern.TypePrefix : pattern.Type;
        if (!table.TryGetValue(key, out var subscriptions) || !subscriptions.Remove(subscription))
        {
            return;
        }
        Count--;
        if (subscriptions.Count == 0)
        {
            table.Remove(key);
            if (pattern.IsPrefix)
            {
                CountPrefixLengths();
            }
        }
    }

    /// Adds the subscriptions whose pattern matches the type to the list (each at most once: a
    /// pattern has one key).
    public void FindByType(string type, List<Subscription> into)
    {
        if (_byType.TryGetValue(type, out var exact))
        {
            into.AddRange(exact);
        }
        if (_prefixLengths.Length == 0)
        {
            return;
        }
        var prefixes = _byPrefix.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var length in _prefixLengths)
        {
            if (length > type.Length)
            {
                break;
            }
            if (prefixes.TryGetValue(type.AsSpan(0, length), out var byPrefix))
            {
                into.AddRange(byPrefix);
            }
        }
    }

    private void CountPrefixLengths() => _prefixLengths = [.. _byPrefix.Keys.Select(k => k.Length).Distinct().Order()];
}
