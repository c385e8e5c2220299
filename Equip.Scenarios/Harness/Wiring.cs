namespace Equip.Scenarios.Harness;

/// Two Counters on each container, a sender and a receiver, each sender's doubled linked to the
/// next container's receiver's count (a ring), so that every container both sends and receives.
/// A Counter computes doubled from count on the device itself, so a value seen in a receiver's
/// doubled has passed through both devices, not only through the server's store.
public sealed record Wiring(IReadOnlyDictionary<string, Guid> Senders, IReadOnlyDictionary<string, Guid> Receivers, IReadOnlyList<Link> Links)
{
    public IReadOnlyList<Guid> Requests => [.. Senders.Values, .. Receivers.Values];

    public static async Task<Wiring> RingAsync(Installation installation, params string[] containers)
    {
        var senders = new Dictionary<string, Guid>();
        var receivers = new Dictionary<string, Guid>();
        foreach (var container in containers)
        {
            senders[container] = await installation.RequestAsync("Counter", container);
            receivers[container] = await installation.RequestAsync("Counter", container);
        }
        var links = new List<Link>();
        for (var i = 0; i < containers.Length; i++)
        {
            links.Add(await installation.LinkAsync(senders[containers[i]], receivers[containers[(i + 1) % containers.Length]]));
        }
        return new Wiring(senders, receivers, links);
    }
}
