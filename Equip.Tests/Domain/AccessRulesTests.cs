using Equip.Domain.Access;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;

namespace Equip.Tests.Domain;

public sealed class AccessRulesTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 20, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("019ac1d3-0c55-7b2e-9d41-6a0f3e8b2c17");
    private static readonly PeerActor Lamp1 = new("lamp-1", "inc-1", 1);
    private static readonly PeerActor Lamp2 = new("lamp-2", "inc-1", 1);

    private static Item ItemOf(string? responsible) =>
        Item.Create(new AddItem(Id, "demo.Lamp", Json.Empty, responsible), Id, 1, At);

    private static AddItem Readd(string? responsible) => new(Id, "demo.Lamp", Json.Empty, responsible);

    [Fact]
    public void APeerMayChangeRenewOrDeleteItsOwnItem() => AccessRules.EnsureMayChange(ItemOf("lamp-1"), Lamp1);

    [Fact]
    public void APeerMayNotChangeAnotherPeersItem()
    {
        var refusal = Assert.Throws<NotResponsibleException>(() => AccessRules.EnsureMayChange(ItemOf("lamp-1"), Lamp2));
        Assert.Equal(Id, refusal.Id);
        Assert.Contains("'lamp-1'", refusal.Message);
    }

    [Fact]
    public void APeerMayNotChangeAnItemNoPeerIsResponsibleFor() =>
        Assert.Throws<NotResponsibleException>(() => AccessRules.EnsureMayChange(ItemOf(null), Lamp1));

    [Fact]
    public void APeerIdIsMatchedExactly() =>
        Assert.Throws<NotResponsibleException>(() => AccessRules.EnsureMayChange(ItemOf("Lamp-1"), Lamp1));

    [Theory]
    [InlineData("lamp-1")]
    [InlineData(null)]
    public void TheAdminMayChangeAnyItem(string? responsible) => AccessRules.EnsureMayChange(ItemOf(responsible), null);

    [Theory]
    [InlineData("lamp-1")]
    [InlineData(null)]
    public void TheSameResponsibleMayReaddAnItem(string? responsible) => AccessRules.EnsureMayReadd(ItemOf(responsible), Readd(responsible));

    [Theory]
    [InlineData("lamp-1", "lamp-2")]
    [InlineData(null, "lamp-1")]
    [InlineData("lamp-1", null)]
    public void AnAddNeverTakesAnItemOver(string? responsible, string? adder)
    {
        var refusal = Assert.Throws<ItemOwnedException>(() => AccessRules.EnsureMayReadd(ItemOf(responsible), Readd(adder)));
        Assert.Equal(Id, refusal.Id);
    }

    [Theory]
    [InlineData("hall lamps")]
    [InlineData("x")]
    [InlineData(" padded ")]
    [InlineData("lämpchen – ✓")]
    public void AKeyNameOfPrintableCharactersIsAccepted(string name) => AccessRules.ValidateKeyName(name);

    [Fact]
    public void AKeyNameIsAtMostItsLengthOnceTrimmed()
    {
        AccessRules.ValidateKeyName(new string('k', AccessRules.MaxKeyNameLength));
        Assert.Throws<InvalidItemException>(() => AccessRules.ValidateKeyName(new string('k', AccessRules.MaxKeyNameLength + 1)));
        AccessRules.ValidateKeyName($"  {new string('k', AccessRules.MaxKeyNameLength)} "); // stored trimmed, so it fits
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  \t")]
    [InlineData("hall\nlamps")]
    [InlineData("\u0000")]
    [InlineData("lamps\u009b")]
    public void ABlankKeyNameOrOneWithAControlCharacterIsRefused(string? name) =>
        Assert.Throws<InvalidItemException>(() => AccessRules.ValidateKeyName(name));

    [Fact]
    public void ABindingHoldsAtMostItsCountOfIds()
    {
        AccessRules.ValidateBinding([], "peerIds");
        AccessRules.ValidateBinding([.. Enumerable.Range(0, AccessRules.MaxBindingCount).Select(i => $"lamp-{i}")], "peerIds");
        Assert.Throws<InvalidItemException>(() =>
            AccessRules.ValidateBinding([.. Enumerable.Range(0, AccessRules.MaxBindingCount + 1).Select(i => $"lamp-{i}")], "peerIds"));
    }

    [Fact]
    public void ABoundIdIsAtMostAPeerIdsLength()
    {
        AccessRules.ValidateBinding([new string('c', PeerRules.MaxIdLength)], "containerIds");
        Assert.Throws<InvalidItemException>(() => AccessRules.ValidateBinding(["pi-1", new string('c', PeerRules.MaxIdLength + 1)], "containerIds"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("pi\r1")]
    [InlineData("pi\u00001")]
    public void ABlankBoundIdOrOneWithAControlCharacterIsRefused(string id) =>
        Assert.Throws<InvalidItemException>(() => AccessRules.ValidateBinding(["pi-1", id], "containerIds"));
}
