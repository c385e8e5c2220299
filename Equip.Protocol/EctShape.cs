using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;

namespace Equip.Protocol;

/// <summary>
/// Whether a component-layer record read from an item's fields has everything its type says it
/// has: no null where the record declares a non-nullable reference (a container without a
/// containerId, a link without a source), no missing JSON value where it declares one, in nested
/// records and lists of them too. The JSON reader leaves a missing member null or undefined; an
/// item written by a faulty (or hostile) peer must not reach the launcher or the link engine so.
/// </summary>
internal static class EctShape
{
    private static readonly ConcurrentDictionary<Type, Member[]> Checked = new();

    public static bool IsComplete(object? value) => value switch
    {
        null => false,
        string => true,
        JsonElement element => element.ValueKind != JsonValueKind.Undefined,
        IDictionary => true,
        IEnumerable list => list.Cast<object?>().All(e => e is null || IsComplete(e)),
        _ when value.GetType().Assembly != typeof(EctShape).Assembly => true,
        _ => CheckedOf(value.GetType()).All(m => m.Property.GetValue(value) is var member && (member is null ? m.Nullable : IsComplete(member))),
    };

    /// A record's members with whether each may be null, worked out once per type (reading the
    /// nullability annotations is reflection too costly for every item the link engine reads).
    private static Member[] CheckedOf(Type type) =>
        Checked.GetOrAdd(type, t =>
        {
            var nullability = new NullabilityInfoContext();
            return t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetIndexParameters().Length == 0)
                .Select(p => new Member(p, Nullable.GetUnderlyingType(p.PropertyType) is not null || nullability.Create(p).ReadState != NullabilityState.NotNull))
                .ToArray();
        });

    private sealed record Member(PropertyInfo Property, bool Nullable);
}
