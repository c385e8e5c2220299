namespace Equip.Web.Hubs.FanOut;

/// The live subscriptions by the types their patterns can match, and by the responsible peer
/// they name: exact types in one table, type prefixes (`ect.*`, and `*`, the empty prefix) in
/// another; in each, the subscriptions of any responsible apart from those naming one. An event's
/// candidates are the subscriptions of its exact type and of each prefix of its type that some
/// pattern uses, of any responsible or of the event's own, so the cost of finding them grows with
/// the number of distinct prefix lengths, not with the number of subscriptions: a subscription of
/// another type, or of another peer's items (every container follows its own properties), is never
/// looked at. Not thread-safe: the dispatcher guards it.
internal sealed class SubscriptionIndex
{
    private readonly Dictionary<string, Bucket> _byType = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Bucket> _byPrefix = new(StringComparer.Ordinal);
    private int[] _prefixLengths = [];

    public int Count { get; private set; }

    public void Add(Subscription subscription)
    {
        var (table, key) = TableOf(subscription);
        if (!table.TryGetValue(key, out var bucket))
        {
            table[key] = bucket = new Bucket();
            if (table == _byPrefix)
            {
                CountPrefixLengths();
            }
        }
        if (bucket.Add(subscription))
        {
            Count++;
        }
    }

    public void Remove(Subscription subscription)
    {
        var (table, key) = TableOf(subscription);
        if (!table.TryGetValue(key, out var bucket) || !bucket.Remove(subscription))
        {
            return;
        }
        Count--;
        if (bucket.IsEmpty)
        {
            table.Remove(key);
            if (table == _byPrefix)
            {
                CountPrefixLengths();
            }
        }
    }

    /// Adds the subscriptions whose pattern's type matches the type, and whose responsible is
    /// none or the given one, to the list (each at most once: a pattern has one key).
    public void Find(string type, string? responsible, List<Subscription> into)
    {
        if (_byType.TryGetValue(type, out var exact))
        {
            exact.AddTo(responsible, into);
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
                byPrefix.AddTo(responsible, into);
            }
        }
    }

    private (Dictionary<string, Bucket> Table, string Key) TableOf(Subscription subscription) =>
        subscription.Pattern.IsPrefix ? (_byPrefix, subscription.Pattern.TypePrefix) : (_byType, subscription.Pattern.Type);

    private void CountPrefixLengths() => _prefixLengths = [.. _byPrefix.Keys.Select(k => k.Length).Distinct().Order()];

    /// The subscriptions of one type or prefix: those of any responsible, and those naming one.
    private sealed class Bucket
    {
        private readonly HashSet<Subscription> _any = [];
        private readonly Dictionary<string, HashSet<Subscription>> _ofResponsible = new(StringComparer.Ordinal);

        public bool IsEmpty => _any.Count == 0 && _ofResponsible.Count == 0;

        public bool Add(Subscription subscription)
        {
            if (subscription.Pattern.Responsible is not { } responsible)
            {
                return _any.Add(subscription);
            }
            if (!_ofResponsible.TryGetValue(responsible, out var subscriptions))
            {
                _ofResponsible[responsible] = subscriptions = [];
            }
            return subscriptions.Add(subscription);
        }

        public bool Remove(Subscription subscription)
        {
            if (subscription.Pattern.Responsible is not { } responsible)
            {
                return _any.Remove(subscription);
            }
            if (!_ofResponsible.TryGetValue(responsible, out var subscriptions) || !subscriptions.Remove(subscription))
            {
                return false;
            }
            if (subscriptions.Count == 0)
            {
                _ofResponsible.Remove(responsible);
            }
            return true;
        }

        public void AddTo(string? responsible, List<Subscription> into)
        {
            into.AddRange(_any);
            if (responsible is not null && _ofResponsible.TryGetValue(responsible, out var ofResponsible))
            {
                into.AddRange(ofResponsible);
            }
        }
    }
}
