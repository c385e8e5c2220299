using System.Text.Json;
using Equip.Domain.Dataspace;

namespace Equip.Infrastructure.Dataspace.Live;

/// Items of one exact type by the string value of one of their top-level fields, for snapshots of
/// patterns such as "the requests assigned to container X": without it each such snapshot scans
/// every item of the type, and a thousand containers re-subscribing after a restart scan the
/// installation a thousand times. An index is built the first time a snapshot asks for its type
/// and field, and kept up to date from then on. Never for "value", which the writer sets in place
/// without re-indexing. At most MaxIndexes (the patterns come from clients); beyond, snapshots
/// scan. The caller holds LiveItems' lock.
internal sealed class FieldIndexes
{
    private const int MaxIndexes = 64;

    private readonly Dictionary<string, List<FieldIndex>> _byType = new(StringComparer.Ordinal);
    private int _count;

    /// The index a snapshot of the pattern can use, with the value to look up; built from the
    /// type's items (fields of each id) when it is new. Null when the pattern names no string
    /// field but "value", or when no more indexes may be made.
    public (FieldIndex Index, string Value)? For(Pattern pattern, IEnumerable<Guid> ofType, Func<Guid, JsonElement> fieldsOf)
    {
        if (pattern.IsPrefix || pattern.Fields is null)
        {
            return null;
        }
        foreach (var (field, expected) in pattern.Fields)
        {
            if (field == JsonValues.ValueField || expected.ValueKind != JsonValueKind.String)
            {
                continue;
            }
            var value = expected.GetString()!;
            var indexes = _byType.GetValueOrDefault(pattern.Type);
            if (indexes?.Find(i => i.Field == field) is { } index)
            {
                return (index, value);
            }
            if (_count == MaxIndexes)
            {
                return null;
            }
            index = new FieldIndex(field);
            foreach (var id in ofType)
            {
                index.Add(id, fieldsOf(id));
            }
            if (indexes is null)
            {
                _byType[pattern.Type] = indexes = [];
            }
            indexes.Add(index);
            _count++;
            return (index, value);
        }
        return null;
    }

    public void Add(string type, Guid id, JsonElement fields)
    {
        if (_byType.TryGetValue(type, out var indexes))
        {
            foreach (var index in indexes)
            {
                index.Add(id, fields);
            }
        }
    }

    public void Remove(string type, Guid id)
    {
        if (_byType.TryGetValue(type, out var indexes))
        {
            foreach (var index in indexes)
            {
                index.Remove(id);
            }
        }
    }
}

/// The ids of one type's items by the string value of one field, in id order.
internal sealed class FieldIndex(string name)
{
    private readonly Dictionary<string, SortedSet<Guid>> _byValue = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, string> _valueOf = [];

    public string Field => name;

    public SortedSet<Guid>? With(string value) => _byValue.GetValueOrDefault(value);

    public void Add(Guid id, JsonElement fields)
    {
        if (fields.ValueKind == JsonValueKind.Object && fields.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
        {
            var key = value.GetString()!;
            if (!_byValue.TryGetValue(key, out var ids))
            {
                _byValue[key] = ids = [];
            }
            ids.Add(id);
            _valueOf[id] = key;
        }
    }

    public void Remove(Guid id)
    {
        if (_valueOf.Remove(id, out var key) && _byValue.TryGetValue(key, out var ids) && ids.Remove(id) && ids.Count == 0)
        {
            _byValue.Remove(key);
        }
    }
}
