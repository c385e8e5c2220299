using System.Text.Json;

namespace Equip.Domain.Dataspace;

/// Selects items: a type (exact, or a prefix when it ends in '*'), optional field equalities and
/// an optional responsible peer.
public sealed record Pattern(string Type, IReadOnlyDictionary<string, JsonElement>? Fields = null, string? Responsible = null)
{
    public static readonly Pattern All = new("*");

    public bool IsPrefix { get; } = Type?.EndsWith('*') == true;

    public string TypePrefix { get; } = Type?.TrimEnd('*') ?? "";

    /// Whether a change of the item's "value" field alone can change whether it matches.
    public bool NamesValue => Fields?.ContainsKey(JsonValues.ValueField) == true;

    public bool Matches(ItemState item) =>
        MatchesType(item.Type)
        && (Responsible is null || Responsible == item.Responsible)
        && (Fields is not { Count: > 0 } || MatchesFields(item.Fields));

    public bool MatchesType(string type) => IsPrefix ? type.StartsWith(TypePrefix, StringComparison.Ordinal) : type == Type;

    public bool MatchesFields(JsonElement fields)
    {
        if (Fields is null || Fields.Count == 0)
        {
            return true;
        }
        if (fields.ValueKind != JsonValueKind.Object)
        {
            return false;
        }
        foreach (var (name, expected) in Fields)
        {
            if (!fields.TryGetProperty(name, out var actual) || !JsonValues.AreEqual(expected, actual))
            {
                return false;
            }
        }
        return true;
    }

    public void Validate(ItemLimits limits)
    {
        if (string.IsNullOrWhiteSpace(Type))
        {
            throw new InvalidItemException("A pattern needs a type: an exact type, or a prefix ending in '*'.");
        }
        if (Type.Length > ItemRules.MaxTypeLength || Type.Any(char.IsControl))
        {
            throw new InvalidItemException($"A pattern's type is at most {ItemRules.MaxTypeLength} printable characters long.");
        }
        if (Type.IndexOf('*') is var star and >= 0 && star != Type.Length - 1)
        {
            throw new InvalidItemException($"Pattern type '{Type}' may hold '*' only at its end.");
        }
        if (Responsible is not null && (Responsible.Length > Peers.PeerRules.MaxIdLength || Responsible.Any(char.IsControl)))
        {
            throw new InvalidItemException($"A pattern's responsible is a peer id of at most {Peers.PeerRules.MaxIdLength} printable characters.");
        }
        if (Fields is null)
        {
            return;
        }
        if (Fields.Count > limits.MaxPatternFields)
        {
            throw new LimitReachedException(nameof(ItemLimits.MaxPatternFields),
                $"A pattern holds at most {limits.MaxPatternFields} field equalities; this one has {Fields.Count}.");
        }
        foreach (var name in Fields.Keys)
        {
            JsonRules.ValidateName(name, limits, "the pattern's fields");
        }
        JsonRules.ValidateValues(Fields.Values, limits, "the pattern's fields");
    }
}
