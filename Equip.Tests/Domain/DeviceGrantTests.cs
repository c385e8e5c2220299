using Equip.Domain.Access;

namespace Equip.Tests.Domain;

public sealed class DeviceGrantTests
{
    private static DeviceGrant Grant(string[] containers, string[] peers) =>
        new(Guid.NewGuid(), "hall lamps", containers.ToHashSet(StringComparer.Ordinal), peers.ToHashSet(StringComparer.Ordinal));

    [Fact]
    public void AKeyBoundToPeersRegistersOnlyThose()
    {
        var grant = Grant([], ["lamp-2", "lamp-1"]);
        grant.EnsurePermitsPeer("lamp-1");
        grant.EnsurePermitsPeer("lamp-2");

        var refusal = Assert.Throws<NotPermittedException>(() => grant.EnsurePermitsPeer("lamp-3"));
        Assert.Equal("Key 'hall lamps' may not register peer 'lamp-3'; it is bound to peers lamp-1, lamp-2.", refusal.Message);
        Assert.Throws<NotPermittedException>(() => grant.EnsurePermitsPeer("Lamp-1"));
    }

    [Fact]
    public void AKeyBoundToNoPeersRegistersAny() => Grant(["pi-1"], []).EnsurePermitsPeer("anything");

    [Fact]
    public void AKeyBoundToContainersPublishesOnlyThose()
    {
        var grant = Grant(["pi-1", "pi-2"], []);

        Assert.Null(grant.RefusalOfContainer("pi-1"));
        Assert.Null(grant.RefusalOfContainer("pi-2"));
        Assert.Equal("Key 'hall lamps' may not publish container 'lamp-9'; it is bound to containers pi-1, pi-2.", grant.RefusalOfContainer("lamp-9"));
        Assert.NotNull(grant.RefusalOfContainer("PI-1"));
    }

    [Fact]
    public void AKeyBoundToContainersRefusesAnItemThatNamesNone() => Assert.NotNull(Grant(["pi-1"], []).RefusalOfContainer(null));

    [Theory]
    [InlineData("pi-1")]
    [InlineData(null)]
    public void AKeyBoundToNoContainersPublishesAny(string? containerId) => Assert.Null(Grant([], ["lamp-1"]).RefusalOfContainer(containerId));
}
