using Equip.Domain.Peers;

namespace Equip.Tests.Domain;

public sealed class PeerRulesTests
{
    private static readonly string Longest = new('p', PeerRules.MaxIdLength);
    private static readonly string TooLong = new('p', PeerRules.MaxIdLength + 1);

    [Theory]
    [InlineData("lamp-1", "019ac1d3", "Hall lamp")]
    [InlineData("lamp 1", "inc", null)]
    [InlineData("lamp-1", "inc", "")]
    public void ARegistrationNeedsAPeerIdAndIncarnationAndMayHaveAName(string peerId, string incarnation, string? name) =>
        PeerRules.ValidateRegistration(peerId, incarnation, name);

    [Fact]
    public void IdsAndNamesOfTheMaximumLengthAreAccepted() =>
        PeerRules.ValidateRegistration(Longest, Longest, new string('n', PeerRules.MaxNameLength));

    [Theory]
    [InlineData(null, "inc", "n")]
    [InlineData(" ", "inc", "n")]
    [InlineData("lamp-1", null, "n")]
    [InlineData("lamp-1", "", "n")]
    [InlineData("lamp\u00001", "inc", "n")]
    [InlineData("lamp-1", "inc\n", "n")]
    [InlineData("lamp-1", "inc", "Hall\u001b[2Jlamp")]
    public void ABlankIdOrAControlCharacterIsRefused(string? peerId, string? incarnation, string? name) =>
        Assert.Throws<InvalidPeerException>(() => PeerRules.ValidateRegistration(peerId, incarnation, name));

    [Fact]
    public void AnIdOrNameBeyondItsLengthIsRefused()
    {
        Assert.Throws<InvalidPeerException>(() => PeerRules.ValidateRegistration(TooLong, "inc", null));
        Assert.Throws<InvalidPeerException>(() => PeerRules.ValidateRegistration("lamp-1", TooLong, null));
        Assert.Throws<InvalidPeerException>(() => PeerRules.ValidateRegistration("lamp-1", "inc", new string('n', PeerRules.MaxNameLength + 1)));
    }
}
