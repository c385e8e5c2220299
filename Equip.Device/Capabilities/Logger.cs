using Equip.Client.Components;

namespace Equip.Device.Capabilities;

/// Writes every value set into its input to standard output.
public sealed class Logger : Component
{
    public Logger()
    {
        Input = Property("input", "");
        Input.Changed += value => Console.WriteLine($"Logger {ComponentId}: {value}");
    }

    public ComponentProperty<string> Input { get; }
}
