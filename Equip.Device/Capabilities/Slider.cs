using Equip.Client.Components;

namespace Equip.Device.Capabilities;

/// A writable number, as a slider on a panel would hold it.
public sealed class Slider : Component
{
    public Slider() => Value = Property("value", 0.0);

    public ComponentProperty<double> Value { get; }
}
