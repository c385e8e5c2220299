using Equip.Domain.Dataspace;

namespace Equip.Tests.Domain;

public sealed class ChangeEventTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 20, 0, 0, TimeSpan.Zero);
    private static readonly ItemState Item = new(Guid.NewGuid(), "demo.Lamp", Json.Empty, "lamp-1", true, null, 12, At, At);

    [Fact]
    public void AnAddIsAtTheRevisionOfTheItemItMadeAndHasNoReason() =>
        Assert.Equal(new ChangeEvent(12, ChangeKind.Added, null, Item, At), ChangeEvent.Added(Item, At));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnUpdateIsAtTheItemsRevisionAndSaysWhetherItIsUnreliable(bool unreliable) =>
        Assert.Equal(new ChangeEvent(12, ChangeKind.Updated, null, Item, At, unreliable), ChangeEvent.Updated(Item, At, unreliable));

    [Fact]
    public void AReaddIsAnUpdateMarkedAsAReadd()
    {
        var readd = ChangeEvent.Readd(Item, At);

        Assert.Equal(ChangeKind.Updated, readd.Kind);
        Assert.True(readd.Readded);
        Assert.False(readd.Unreliable);
        Assert.Equal(12, readd.Revision);
        Assert.Null(readd.Reason);
    }

    [Theory]
    [InlineData(DeleteReason.Explicit)]
    [InlineData(DeleteReason.Bound)]
    [InlineData(DeleteReason.LeaseExpired)]
    public void ADeleteTakesARevisionOfItsOwnSaysWhyAndCarriesTheLastStateOfTheItem(DeleteReason reason)
    {
        var deleted = ChangeEvent.Deleted(Item, 20, reason, At);

        Assert.Equal(new ChangeEvent(20, ChangeKind.Deleted, reason, Item, At), deleted);
        Assert.True(deleted.Item.Revision < deleted.Revision);
    }
}
