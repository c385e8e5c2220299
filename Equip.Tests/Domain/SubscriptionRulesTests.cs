using Equip.Domain.Dataspace;

namespace Equip.Tests.Domain;

public sealed class SubscriptionRulesTests
{
    [Theory]
    [InlineData("lamps")]
    [InlineData("a subscription id with spaces")]
    [InlineData("x")]
    public void AnIdChosenByTheClientIsAccepted(string id) => SubscriptionRules.ValidateId(id, ItemLimits.Default);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" \t")]
    [InlineData("lamps\u0000")]
    [InlineData("lamps\r\n")]
    public void ABlankIdOrOneWithAControlCharacterIsRefused(string? id) =>
        Assert.Throws<InvalidItemException>(() => SubscriptionRules.ValidateId(id, ItemLimits.Default));

    [Fact]
    public void AnIdIsAtMostTheLimitsLength()
    {
        var limits = ItemLimits.Default with { MaxSubscriptionIdLength = 5 };
        SubscriptionRules.ValidateId("12345", limits);

        var refusal = Assert.Throws<LimitReachedException>(() => SubscriptionRules.ValidateId("123456", limits));
        Assert.Equal(nameof(ItemLimits.MaxSubscriptionIdLength), refusal.Limit);
    }
}
