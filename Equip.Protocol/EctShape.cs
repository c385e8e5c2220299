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
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Checked = new();

    public static bool IsComplete(object? value) => value switch
    {
        null => false,
        string => true,
        JsonElement element => element.ValueKind != JsonValueKind.Undefined,
        IDictionary => true,
        IEnumerable list => list.Cast<object?>().All(e => e is null || IsComplete(e)),
        _ when value.GetType().Assembly != typeof(EctShape).Assembly => true,
        _ => CheckedOf(value.GetType()).All(p => p.GetValue(value) is var member && (member is null ? IsNullable(p) : IsComplete(member))),
    };

    private static bool IsNullable(PropertyInfo property) => Nullable.GetUnderlyingType(property.PropertyType) is not null
        || new NullabilityInfoContext().Create(property).ReadState != NullabilityState.NotNull;

    private static PropertyInfo[] CheckedOf(Type type) =>
        Checked.GetOrAdd(type, t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray());
}
