using Equip.Domain.Dataspace;

namespace Equip.Infrastructure.Dataspace.Live;

/// Queries of the live items: by responsible peer, by an indexed field, or by type.
internal sealed partial class LiveItems
{
    /// Matching items in id order after the given id, and the revision they are at.
    public DataspaceSnapshot Query(Pattern pattern, Guid? after, int limit)
    {
        lock (_gate)
        {
            if (pattern.Responsible is { } responsible)
            {
                return new DataspaceSnapshot(QueryOf(responsible, pattern, after, limit), Revision);
            }
            if (_byType.TryGetValue(pattern.Type, out var ofType) && _byField.For(pattern, ofType, id => _byId[id].State.Fields) is var (index, value))
            {
                return new DataspaceSnapshot(Matching(index.With(value) ?? [], pattern, after, limit), Revision);
            }
            var found = new List<ItemState>();
            var types = _byType.Where(t => pattern.MatchesType(t.Key)).ToList();
            foreach (var (_, ids) in types)
            {
                found.AddRange(Matching(ids, pattern, after, limit)); // each type adds at most the limit
            }
            if (types.Count > 1)
            {
                found.Sort((a, b) => a.Id.CompareTo(b.Id));
            }
            if (found.Count > limit)
            {
                found.RemoveRange(limit, found.Count - limit);
            }
            return new DataspaceSnapshot(found, Revision);
        }
    }

    /// The matching items among ids in id order (a type's or a field index's), after the given id,
    /// at most the limit. The caller holds the lock.
    private List<ItemState> Matching(SortedSet<Guid> ids, Pattern pattern, Guid? after, int limit)
    {
        var found = new List<ItemState>();
        foreach (var id in after is { } from ? ids.GetViewBetween(from, Last) : ids)
        {
            if (id != after && _byId[id].State is var state && pattern.Matches(state))
            {
                found.Add(state);
                if (found.Count == limit)
                {
                    break;
                }
            }
        }
        return found;
    }

    /// The responsible peer's matching items: the peer's few items, not every item of the type
    /// (each container follows its own properties). The caller holds the lock.
    private List<ItemState> QueryOf(string responsible, Pattern pattern, Guid? after, int limit)
    {
        if (!_byResponsible.TryGetValue(responsible, out var ids))
        {
            return [];
        }
        var found = new List<ItemState>();
        foreach (var id in ids)
        {
            if ((after is not { } from || id.CompareTo(from) > 0) && _byId[id].State is var state && pattern.Matches(state))
            {
                found.Add(state);
            }
        }
        found.Sort((a, b) => a.Id.CompareTo(b.Id));
        if (found.Count > limit)
        {
            found.RemoveRange(limit, found.Count - limit);
        }
        return found;
    }
}
