using Equip.Domain.Dataspace;

namespace Equip.Domain.Access;

/// The caller is known but may not do this (403 on REST, "forbidden" on the hub).
public sealed class NotPermittedException(string message) : DataspaceException(message);

/// A peer tried to change, renew or delete an item another peer (or the server) is responsible for.
public sealed class NotResponsibleException(Guid id, string peerId, string? responsible)
    : DataspaceException(responsible is null
        ? $"Item {id} is not peer '{peerId}'s: no peer is responsible for it, so only the admin may change it."
        : $"Item {id} is not peer '{peerId}'s: peer '{responsible}' is responsible for it.")
{
    public Guid Id { get; } = id;
}

/// A re-add of an id whose item has another responsible: an add never takes an item over.
public sealed class ItemOwnedException(Guid id, string? responsible)
    : DataspaceException(responsible is null
        ? $"Item {id} exists and no peer is responsible for it; a peer cannot take it over by adding its id."
        : $"Item {id} exists and peer '{responsible}' is responsible for it; an add does not take it over (update or delete it as its peer, or as the admin).")
{
    public Guid Id { get; } = id;
}
