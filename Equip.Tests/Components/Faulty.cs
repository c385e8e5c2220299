using Equip.Client.Components;

namespace Equip.Tests.Components;

/// A component whose start fails.
public sealed class Faulty : Component
{
    public Faulty() => Property("state", "new");

    protected override Task StartAsync(CancellationToken cancellationToken) =>
        throw new InvalidOperationException("The hardware is missing.");
}
