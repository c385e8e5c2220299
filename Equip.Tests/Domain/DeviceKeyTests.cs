using Equip.Domain.Access;
using Equip.Domain.Dataspace;

namespace Equip.Tests.Domain;

public sealed class DeviceKeyTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 20, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("019ac1d3-0c55-7b2e-9d41-6a0f3e8b2c17");
    private const string Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private static DeviceKey Create(string name = "hall lamps", string[]? containers = null, string[]? peers = null) =>
        DeviceKey.Create(Id, name, Hash, "eqk_9f86", containers ?? [], peers ?? [], At);

    [Fact]
    public void AKeyIsMadeWithItsNameHashPrefixBindingsAndTimeAndIsNotRevoked()
    {
        var key = Create(containers: ["pi-1"], peers: ["lamp-1", "lamp-2"]);

        Assert.Equal(Id, key.Id);
        Assert.Equal("hall lamps", key.Name);
        Assert.Equal(Hash, key.Hash);
        Assert.Equal("eqk_9f86", key.Prefix);
        Assert.Equal(["pi-1"], key.ContainerIds);
        Assert.Equal(["lamp-1", "lamp-2"], key.PeerIds);
        Assert.Equal(At, key.CreatedAt);
        Assert.False(key.IsRevoked);
        Assert.Null(key.RevokedAt);
    }

    [Fact]
    public void TheNameIsKeptWithoutSurroundingSpace() => Assert.Equal("hall lamps", Create("  hall lamps  ").Name);

    [Fact]
    public void ABoundIdGivenTwiceIsKeptOnceInTheOrderGiven()
    {
        var key = Create(containers: ["pi-2", "pi-1", "pi-2"], peers: ["b", "a", "b", "a"]);

        Assert.Equal(["pi-2", "pi-1"], key.ContainerIds);
        Assert.Equal(["b", "a"], key.PeerIds);
    }

    [Fact]
    public void AKeyWithABadNameOrBindingIsNotMade()
    {
        Assert.Throws<InvalidItemException>(() => Create(" "));
        Assert.Throws<InvalidItemException>(() => Create(new string('k', AccessRules.MaxKeyNameLength + 1)));
        Assert.Throws<InvalidItemException>(() => Create(containers: ["pi\n1"]));
        Assert.Throws<InvalidItemException>(() => Create(peers: [""]));
    }

    [Fact]
    public void ARevokedKeyStaysRevokedFromTheFirstRevocation()
    {
        var key = Create();

        key.Revoke(At.AddDays(1));
        key.Revoke(At.AddDays(2));

        Assert.True(key.IsRevoked);
        Assert.Equal(At.AddDays(1), key.RevokedAt);
    }

    [Fact]
    public void TheGrantCarriesTheKeysIdNameAndBindingsExactly()
    {
        var grant = Create(containers: ["pi-1"], peers: ["lamp-1"]).ToGrant();

        Assert.Equal(Id, grant.KeyId);
        Assert.Equal("hall lamps", grant.KeyName);
        Assert.True(grant.ContainerIds.SetEquals(["pi-1"]));
        Assert.True(grant.PeerIds.SetEquals(["lamp-1"]));
        Assert.DoesNotContain("PI-1", grant.ContainerIds);
        Assert.DoesNotContain("Lamp-1", grant.PeerIds);
    }

    [Fact]
    public void AKeysViewNeverShowsItsHash()
    {
        var key = Create(containers: ["pi-1"], peers: ["lamp-1"]);
        key.Revoke(At.AddHours(1));

        var view = key.ToView();

        Assert.Equal(new DeviceKeyView(Id, "hall lamps", "eqk_9f86", key.ContainerIds, key.PeerIds, At, At.AddHours(1)), view);
        Assert.DoesNotContain(Hash, view.ToString());
    }
}
