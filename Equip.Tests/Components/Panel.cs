using System.Text.Json;
using Equip.Client.Components;

namespace Equip.Tests.Components;

/// A component with a property of every type: a text it counts sets of from outside (like the
/// simulator's Display), and properties added while it runs.
public sealed class Panel : Component
{
    public Panel()
    {
        Text = Property("text", "blank");
        Updates = Property("updates", 0L, readOnly: true);
        Level = Property("level", 0.5);
        Count = Property("count", 1);
        On = Property("on", false);
        Shape = Property("shape", JsonDocument.Parse("""{"kind":"round"}""").RootElement.Clone());
        Text.Changed += _ => Updates.Value++;
    }

    public ComponentProperty<string> Text { get; }

    public ComponentProperty<long> Updates { get; }

    public ComponentProperty<double> Level { get; }

    public ComponentProperty<int> Count { get; }

    public ComponentProperty<bool> On { get; }

    public ComponentProperty<JsonElement> Shape { get; }

    public ComponentProperty<T> Add<T>(string name, T initial, bool readOnly = false) => Property(name, initial, readOnly);
}
