namespace Equip.Domain.Access;

/// What a device key lets its connections do beyond any peer's rights: the peer ids it may
/// register and the container ids it may publish (an empty set allows any). A connection made
/// with the admin key has no grant and no such bounds.
public sealed record DeviceGrant(Guid KeyId, string KeyName, IReadOnlySet<string> ContainerIds, IReadOnlySet<string> PeerIds)
{
    public void EnsurePermitsPeer(string peerId)
    {
        if (PeerIds.Count > 0 && !PeerIds.Contains(peerId))
        {
            throw new NotPermittedException($"Key '{KeyName}' may not register peer '{peerId}'; it is bound to peers {string.Join(", ", PeerIds.Order())}.");
        }
    }

    /// Why this key may not publish the container, or null when it may.
    public string? RefusalOfContainer(string? containerId) =>
        ContainerIds.Count > 0 && (containerId is null || !ContainerIds.Contains(containerId))
            ? $"Key '{KeyName}' may not publish container '{containerId}'; it is bound to containers {string.Join(", ", ContainerIds.Order())}."
            : null;
}
