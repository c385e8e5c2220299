using Equip.Domain.Dataspace;
using Equip.Domain.Peers;

namespace Equip.Domain.Access;

/// Who may write what. A write without a peer actor is the administrator's (REST with the admin
/// key, the dashboard, the server's own engines); a peer changes only what it is responsible for.
public static class AccessRules
{
    public const int MaxKeyNameLength = 128;
    public const int MaxBindingCount = 1000;

    /// Update, delete and lease renewal: a peer only on its own items.
    public static void EnsureMayChange(Item item, PeerActor? by)
    {
        if (by is not null && item.Responsible != by.PeerId)
        {
            throw new NotResponsibleException(item.Id, by.PeerId, item.Responsible);
        }
    }

    /// A re-add keeps the item's responsible: only the same responsible (a peer re-adding its
    /// own item, or the admin re-adding an item no peer holds) may re-add an existing id.
    public static void EnsureMayReadd(Item existing, AddItem command)
    {
        if (existing.Responsible != command.Responsible)
        {
            throw new ItemOwnedException(existing.Id, existing.Responsible);
        }
    }

    public static void ValidateKeyName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > MaxKeyNameLength || name.Any(char.IsControl)) // kept trimmed
        {
            throw new InvalidItemException($"A key needs a name of 1 to {MaxKeyNameLength} printable characters.");
        }
    }

    public static void ValidateBinding(IReadOnlyList<string> ids, string what)
    {
        if (ids.Count > MaxBindingCount)
        {
            throw new InvalidItemException($"{what} holds at most {MaxBindingCount} ids.");
        }
        if (ids.Any(id => string.IsNullOrWhiteSpace(id) || id.Length > PeerRules.MaxIdLength || id.Any(char.IsControl)))
        {
            throw new InvalidItemException($"Every id in {what} needs 1 to {PeerRules.MaxIdLength} printable characters.");
        }
    }
}
