using System.Text.Json;

namespace Equip.Client.Components;

/// <summary>
/// A typed property of a <see cref="Component"/>, made with <c>Property&lt;T&gt;(name, initial)</c>.
/// Setting <see cref="Value"/> from component code publishes it; a value written from outside
/// (through the property's item) is applied and raises <see cref="Changed"/>.
/// </summary>
/// <typeparam name="T">string, double, long, int, bool or JsonElement.</typeparam>
public sealed class ComponentProperty<T> : ComponentProperty
{
    private T _value;

    internal ComponentProperty(Component owner, string name, T initial, bool readOnly)
        : base(owner, name, PropertyValues.TypeOf<T>(), readOnly)
    {
        PropertyValues.Check(initial, nameof(initial));
        _value = initial;
    }

    /// <summary>
    /// The value now. Setting a different value publishes it once the component runs; it may be set
    /// from any thread. Null, NaN, infinities and an undefined JsonElement are refused.
    /// </summary>
    public T Value
    {
        get
        {
            lock (Owner.Gate)
            {
                return _value;
            }
        }
        set
        {
            PropertyValues.Check(value, nameof(value));
            lock (Owner.Gate)
            {
                if (PropertyValues.AreEqual(_value, value))
                {
                    return;
                }
                _value = value;
                Owner.Running?.Publish(this);
            }
        }
    }

    /// <summary>
    /// Sets the value as <see cref="Value"/> does, and completes once the server has applied it (or
    /// a later value that took its place before it was sent): a device that produces values
    /// faster than they can go can wait for the server this way. Completes at once when the
    /// value is the one the property has, or when the component is not running.
    /// </summary>
    public Task SetAsync(T value)
    {
        PropertyValues.Check(value, nameof(value));
        lock (Owner.Gate)
        {
            if (PropertyValues.AreEqual(_value, value))
            {
                return Task.CompletedTask;
            }
            _value = value;
            return Owner.Running?.Publish(this) ?? Task.CompletedTask;
        }
    }

    /// <summary>
    /// Raised with the new value when a value written from outside was applied (never for the
    /// component's own sets), on the container's loop: handlers must be quick.
    /// </summary>
    public event Action<T>? Changed;

    internal override JsonElement ValueAsJson() => PropertyValues.ToJson(_value);

    internal override bool TryInitialise(JsonElement value)
    {
        if (!PropertyValues.TryRead<T>(value, out var read))
        {
            return false;
        }
        lock (Owner.Gate)
        {
            _value = read;
        }
        return true;
    }

    internal override PropertyOffer Offer(JsonElement value, out Action? changed)
    {
        changed = null;
        if (!PropertyValues.TryRead<T>(value, out var read))
        {
            return PropertyOffer.Refused;
        }
        if (PropertyValues.AreEqual(_value, read))
        {
            return PropertyOffer.Same;
        }
        if (ReadOnly)
        {
            return PropertyOffer.Refused;
        }
        _value = read;
        changed = () => Changed?.Invoke(read);
        return PropertyOffer.Applied;
    }
}
