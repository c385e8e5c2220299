using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;

namespace Equip.Tests.Domain;

public sealed class ItemRulesTests
{
    private static readonly PeerActor Lamp = new("lamp-1", "inc-1", 1);

    [Theory]
    [InlineData("ect.ComponentRequest")]
    [InlineData("x")]
    [InlineData("démo.Lampe")]
    public void ATypeOfPrintableCharactersWithoutStarOrSpaceIsAccepted(string type) => ItemRules.ValidateType(type);

    [Fact]
    public void ATypeOfTheMaximumLengthIsAcceptedAndOneLongerIsRefused()
    {
        ItemRules.ValidateType(new string('t', ItemRules.MaxTypeLength));
        Assert.Throws<InvalidItemException>(() => ItemRules.ValidateType(new string('t', ItemRules.MaxTypeLength + 1)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("ect.*")]
    [InlineData("*")]
    [InlineData("ect.Compo*nent")]
    [InlineData("ect. Link")]
    [InlineData("ect.Link\t")]
    [InlineData("ect.\u00a0Link")]
    [InlineData("ect.\u0001Link")]
    [InlineData("ect.Link\u007f")]
    public void ATypeThatIsBlankHoldsAStarWhiteSpaceOrAControlCharacterIsRefused(string? type) =>
        Assert.Throws<InvalidItemException>(() => ItemRules.ValidateType(type));

    [Theory]
    [InlineData(1.0, 1000)]
    [InlineData(0.0004, 1)]
    [InlineData(0.0015, 2)]
    [InlineData(30.1234, 30123)]
    [InlineData(315360000.0, 315360000000)]
    public void ALeaseIsRoundedToTheMillisecondAndNeverToNothing(double seconds, long milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ItemRules.ToLease(seconds));

    [Fact]
    public void NoLeaseSecondsIsNoLease() => Assert.Null(ItemRules.ToLease(null));

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(315360000.001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void ALeaseOfNothingLessOrBeyondTenYearsIsRefused(double seconds) =>
        Assert.Throws<InvalidItemException>(() => ItemRules.ToLease(seconds));

    [Fact]
    public void AProcessBoundItemNeedsAResponsiblePeer()
    {
        ItemRules.Validate(new AddItem(null, "demo.Lamp", Json.Empty, "lamp-1", ProcessBound: true), ItemLimits.Default);
        Assert.Throws<InvalidItemException>(() =>
            ItemRules.Validate(new AddItem(null, "demo.Lamp", Json.Empty, ProcessBound: true), ItemLimits.Default));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("lamp-2")]
    public void AnItemAddedOverAPeerConnectionHasThatPeerAsResponsible(string? responsible)
    {
        ItemRules.Validate(new AddItem(null, "demo.Lamp", Json.Empty, "lamp-1", By: Lamp), ItemLimits.Default);
        Assert.Throws<InvalidItemException>(() =>
            ItemRules.Validate(new AddItem(null, "demo.Lamp", Json.Empty, responsible, By: Lamp), ItemLimits.Default));
    }

    [Fact]
    public void TheAdminMayAddAnItemWithAnyPeerOrNoneAsResponsible()
    {
        ItemRules.Validate(new AddItem(null, "demo.Lamp", Json.Empty), ItemLimits.Default);
        ItemRules.Validate(new AddItem(null, "demo.Lamp", Json.Empty, "lamp-2"), ItemLimits.Default);
    }

    [Fact]
    public void AnAddIsRefusedForABadTypeOrFields()
    {
        Assert.Throws<InvalidItemException>(() => ItemRules.Validate(new AddItem(null, "a b", Json.Empty), ItemLimits.Default));
        Assert.Throws<InvalidItemException>(() => ItemRules.Validate(new AddItem(null, "demo.Lamp", Json.Parse("[]")), ItemLimits.Default));
    }

    [Fact]
    public void AnUpdateMayLeaveTheTypeOutButAGivenTypeAndTheFieldsAreChecked()
    {
        ItemRules.Validate(new UpdateItem(Guid.NewGuid(), null, Json.Empty), ItemLimits.Default);
        Assert.Throws<InvalidItemException>(() => ItemRules.Validate(new UpdateItem(Guid.NewGuid(), "ect.*", Json.Empty), ItemLimits.Default));
        Assert.Throws<InvalidItemException>(() => ItemRules.Validate(new UpdateItem(Guid.NewGuid(), null, Json.Parse("1")), ItemLimits.Default));
    }

    private static ReassertedItem Reasserted(string type = "demo.Lamp", JsonElement? fields = null) =>
        new(Guid.NewGuid(), type, fields ?? Json.Empty, false, null, 0);

    [Fact]
    public void AReassertHoldsAtMostTheLimitsItems()
    {
        var limits = ItemLimits.Default with { MaxReassertItems = 2 };
        ItemRules.Validate([Reasserted(), Reasserted()], limits);

        var refusal = Assert.Throws<LimitReachedException>(() => ItemRules.Validate([Reasserted(), Reasserted(), Reasserted()], limits));
        Assert.Equal(nameof(ItemLimits.MaxReassertItems), refusal.Limit);
    }

    [Fact]
    public void AReassertIsRefusedWholeForOneNullOrInvalidItem()
    {
        Assert.Throws<InvalidItemException>(() => ItemRules.Validate([Reasserted(), null!], ItemLimits.Default));
        Assert.Throws<InvalidItemException>(() => ItemRules.Validate([Reasserted(), Reasserted("ect.*")], ItemLimits.Default));
        Assert.Throws<InvalidItemException>(() => ItemRules.Validate([Reasserted(), Reasserted(fields: Json.Parse("null"))], ItemLimits.Default));
    }
}
