namespace Equip.Domain.Dataspace;

/// A subscription id is chosen by its client and named in every message of the subscription.
public static class SubscriptionRules
{
    public static void ValidateId(string? subscriptionId, ItemLimits limits)
    {
        if (string.IsNullOrWhiteSpace(subscriptionId))
        {
            throw new InvalidItemException("A subscription needs a subscriptionId, chosen by the client.");
        }
        if (subscriptionId.Length > limits.MaxSubscriptionIdLength)
        {
            throw new LimitReachedException(nameof(ItemLimits.MaxSubscriptionIdLength),
                $"A subscriptionId is at most {limits.MaxSubscriptionIdLength} characters long; this one is {subscriptionId.Length}.");
        }
        if (subscriptionId.Any(char.IsControl))
        {
            throw new InvalidItemException("A subscriptionId may not hold control characters.");
        }
    }
}
