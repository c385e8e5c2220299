namespace Equip.Domain.Components;

/// A connected container as the launcher sees it.
public sealed record ContainerInfo(
    string ContainerId,
    string? Host,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlySet<string> Capabilities,
    int RunningComponents);

/// Where a component may run when its request names no container.
public sealed record Selector(string? Host, IReadOnlyDictionary<string, string>? Labels)
{
    public bool Matches(ContainerInfo container) =>
        (Host is null || string.Equals(Host, container.Host, StringComparison.OrdinalIgnoreCase))
        && (Labels is null || Labels.All(l => container.Labels.TryGetValue(l.Key, out var value) && value == l.Value));
}

public sealed record PlacementRequest(string Capability, string? ContainerId, Selector? Selector, string? AssignedContainerId);

/// The container a request belongs on (null: none can take it), and why it cannot run yet.
public sealed record PlacementDecision(string? AssignedContainerId, string? PendingReason);

/// The launcher's rule: a named container is kept whether or not it is connected or exports the
/// capability (it launches the component when it comes back, or can); a selector keeps its container while that container is known
/// (its items outlive a short absence, for the grace period) and moves only when it is gone.
public static class Placement
{
    public static PlacementDecision Decide(PlacementRequest request, IReadOnlyDictionary<string, ContainerInfo> containers)
    {
        if (request.ContainerId is { } named)
        {
            if (!containers.TryGetValue(named, out var container))
            {
                return new PlacementDecision(named, $"container '{named}' is not connected");
            }
            // Stays assigned even so: the container itself ignores what it cannot run, and an
            // assignment that comes and goes would stop and relaunch the component.
            return container.Capabilities.Contains(request.Capability)
                ? new PlacementDecision(named, null)
                : new PlacementDecision(named, $"container '{named}' does not export '{request.Capability}'");
        }
        bool Fits(ContainerInfo c) => c.Capabilities.Contains(request.Capability) && (request.Selector?.Matches(c) ?? true);
        if (request.AssignedContainerId is { } current && containers.TryGetValue(current, out var assigned) && Fits(assigned))
        {
            return new PlacementDecision(current, null);
        }
        var candidate = containers.Values
            .Where(Fits)
            .OrderBy(c => c.RunningComponents)
            .ThenBy(c => c.ContainerId, StringComparer.Ordinal)
            .FirstOrDefault();
        return candidate is not null
            ? new PlacementDecision(candidate.ContainerId, null)
            : new PlacementDecision(null, $"no connected container exports '{request.Capability}'{(request.Selector is null ? "" : " and matches the selector")}");
    }
}
