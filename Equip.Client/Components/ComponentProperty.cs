using System.Text.Json;

namespace Equip.Client.Components;

/// <summary>
/// A named value of a <see cref="Component"/>, published as an ect.Property item. See
/// <see cref="ComponentProperty{T}"/> for the typed value.
/// </summary>
public abstract class ComponentProperty
{
    private protected ComponentProperty(Component owner, string name, string type, bool readOnly)
    {
        Owner = owner;
        Name = name;
        Type = type;
        ReadOnly = readOnly;
    }

    /// <summary>The property's name, unique within its component.</summary>
    public string Name { get; }

    /// <summary>Its value type: "string", "number", "integer", "boolean" or "json" (Ect.ValueTypes).</summary>
    public string Type { get; }

    /// <summary>Whether only the component sets it: a value written from outside is reverted.</summary>
    public bool ReadOnly { get; }

    /// <summary>The value now, as JSON.</summary>
    public JsonElement JsonValue
    {
        get
        {
            lock (Owner.Gate)
            {
                return ValueAsJson();
            }
        }
    }

    private protected Component Owner { get; }

    /// The value as JSON; the caller holds the owner's gate.
    internal abstract JsonElement ValueAsJson();

    /// Takes a value before the component starts (a default, an initial or a last value): no
    /// publication, no Changed. False when the value does not convert.
    internal abstract bool TryInitialise(JsonElement value);

    /// Offers a value written from outside; the caller holds the owner's gate and, when the offer
    /// is applied, raises <paramref name="changed"/> after leaving it.
    internal abstract PropertyOffer Offer(JsonElement value, out Action? changed);
}
