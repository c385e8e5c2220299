using Equip.Client.Components;

namespace Equip.Device.Capabilities;

/// A writable count, and its double as a read-only value.
public sealed class Counter : Component
{
    public Counter()
    {
        Count = Property("count", 0L);
        Doubled = Property("doubled", 0L, readOnly: true);
        Count.Changed += count => Doubled.Value = 2 * count;
    }

    public ComponentProperty<long> Count { get; }

    public ComponentProperty<long> Doubled { get; }

    protected override Task StartAsync(CancellationToken cancellationToken)
    {
        Doubled.Value = 2 * Count.Value;
        return Task.CompletedTask;
    }
}
