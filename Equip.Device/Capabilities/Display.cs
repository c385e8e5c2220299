using Equip.Client.Components;

namespace Equip.Device.Capabilities;

/// Shows a text, and counts how often it was set from outside.
public sealed class Display : Component
{
    public Display()
    {
        Text = Property("text", "");
        Updates = Property("updates", 0L, readOnly: true);
        Text.Changed += _ => Updates.Value++;
    }

    public ComponentProperty<string> Text { get; }

    public ComponentProperty<long> Updates { get; }
}
