using Equip.Domain.Peers;

namespace Equip.Domain.Dataspace;

/// What every write must satisfy, whichever interface it came through.
public static class ItemRules
{
    public const int MaxTypeLength = 256;
    public static readonly TimeSpan MaxLease = TimeSpan.FromDays(3650);

    public static void ValidateType(string? type)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            throw new InvalidItemException("An item needs a type, such as 'ect.ComponentRequest'.");
        }
        if (type.Length > MaxTypeLength)
        {
            throw new InvalidItemException($"An item type is at most {MaxTypeLength} characters long.");
        }
        if (type.Any(char.IsControl))
        {
            throw new InvalidItemException("An item type may not hold control characters.");
        }
        if (type.Contains('*') || type.Any(char.IsWhiteSpace))
        {
            throw new InvalidItemException($"Item type '{type}' may not hold '*' or white space.");
        }
    }

    public static TimeSpan? ToLease(double? seconds)
    {
        if (seconds is not { } s)
        {
            return null;
        }
        if (!double.IsFinite(s) || s <= 0 || s > MaxLease.TotalSeconds)
        {
            throw new InvalidItemException($"leaseSeconds must be above 0 and at most {MaxLease.TotalSeconds}.");
        }
        return TimeSpan.FromMilliseconds(Math.Max(1, Math.Round(s * 1000)));
    }

    public static void Validate(AddItem command, ItemLimits limits)
    {
        ValidateType(command.Type);
        JsonRules.ValidateFields(command.Fields, limits);
        if (command.ProcessBound && command.Responsible is null)
        {
            throw new InvalidItemException("A process-bound item needs a responsible peer: add it over a peer connection.");
        }
        if (command.By is { } by && command.Responsible != by.PeerId)
        {
            throw new InvalidItemException("An item added over a peer connection has that peer as responsible.");
        }
    }

    public static void Validate(UpdateItem command, ItemLimits limits)
    {
        if (command.Type is not null)
        {
            ValidateType(command.Type);
        }
        JsonRules.ValidateFields(command.Fields, limits);
    }

    /// What a reconnecting peer re-asserts: no more items than the limit, each a valid item.
    public static void Validate(IReadOnlyList<ReassertedItem> items, ItemLimits limits)
    {
        if (items.Count > limits.MaxReassertItems)
        {
            throw new LimitReachedException(nameof(ItemLimits.MaxReassertItems),
                $"One Reassert carries at most {limits.MaxReassertItems} items; this one has {items.Count}. Send them in several calls.");
        }
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { } item)
            {
                throw new InvalidItemException($"Item {i} of the Reassert is null.");
            }
            ValidateType(item.Type);
            JsonRules.ValidateFields(item.Fields, limits);
        }
    }
}
