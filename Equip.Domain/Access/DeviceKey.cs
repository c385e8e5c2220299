namespace Equip.Domain.Access;

/// A key a device (or a program) connects with. Only its hash is kept; the key itself is shown
/// once, when it is made. A key may be bound to the container ids and peer ids it may register;
/// an empty binding allows any.
public sealed class DeviceKey
{
    private DeviceKey()
    {
    }

    public Guid Id { get; private set; }
    public string Name { get; private set; } = "";

    /// SHA-256 of the key, as lower-case hex.
    public string Hash { get; private set; } = "";

    /// The key's first characters, to recognise it by in lists and logs.
    public string Prefix { get; private set; } = "";

    public IReadOnlyList<string> ContainerIds { get; private set; } = [];
    public IReadOnlyList<string> PeerIds { get; private set; } = [];
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    public bool IsRevoked => RevokedAt is not null;

    public static DeviceKey Create(Guid id, string name, string hash, string prefix,
        IReadOnlyList<string> containerIds, IReadOnlyList<string> peerIds, DateTimeOffset now)
    {
        AccessRules.ValidateKeyName(name);
        AccessRules.ValidateBinding(containerIds, "containerIds");
        AccessRules.ValidateBinding(peerIds, "peerIds");
        return new DeviceKey
        {
            Id = id,
            Name = name.Trim(),
            Hash = hash,
            Prefix = prefix,
            ContainerIds = containerIds.Distinct().ToList(),
            PeerIds = peerIds.Distinct().ToList(),
            CreatedAt = now,
        };
    }

    /// Revoking is for good: a revoked key is kept (to show when it stopped) but never accepted again.
    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;

    public DeviceGrant ToGrant() => new(Id, Name, ContainerIds.ToHashSet(StringComparer.Ordinal), PeerIds.ToHashSet(StringComparer.Ordinal));

    public DeviceKeyView ToView() => new(Id, Name, Prefix, ContainerIds, PeerIds, CreatedAt, RevokedAt);
}

/// A device key as lists show it: never its hash.
public sealed record DeviceKeyView(
    Guid Id, string Name, string Prefix, IReadOnlyList<string> ContainerIds, IReadOnlyList<string> PeerIds,
    DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
