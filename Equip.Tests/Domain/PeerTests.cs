using Equip.Domain.Peers;
using Microsoft.Extensions.Time.Testing;

namespace Equip.Tests.Domain;

/// A peer's associations: what a registration finds and does, and how a session ends.
public sealed class PeerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 20, 0, 0, TimeSpan.Zero));

    private DateTimeOffset Now => _time.GetUtcNow();

    private Peer Registered() => Peer.Register("lamp-1", "inc-1", "Lamp", 1, Now);

    [Fact]
    public void AnUnknownPeerRegistersConnectedWithItsIncarnationAndEpoch()
    {
        var peer = Registered();

        Assert.Equal(new PeerView("lamp-1", "Lamp", "inc-1", PeerState.Connected, Now, Now), peer.ToView());
        Assert.Equal(1, peer.SyncEpoch);
        Assert.Equal(1, peer.IncarnationEpoch);
        Assert.Empty(peer.ReplacedIncarnations);
        Assert.Null(peer.ReconnectingSince);
    }

    [Fact]
    public void ADisconnectedPeerIsReconnectingFromThatMoment()
    {
        var peer = Registered();
        _time.Advance(TimeSpan.FromSeconds(5));

        peer.Disconnect(Now);

        Assert.Equal(PeerState.Reconnecting, peer.State);
        Assert.Equal(Now, peer.ReconnectingSince);
        Assert.Equal(Now, peer.LastSeenAt);
    }

    [Fact]
    public void AFurtherDisconnectDoesNotRestartTheGracePeriod()
    {
        var peer = Registered();
        peer.Disconnect(Now);
        var since = Now;
        _time.Advance(TimeSpan.FromSeconds(5));

        peer.Disconnect(Now);

        Assert.Equal(since, peer.ReconnectingSince);
        Assert.Equal(since, peer.LastSeenAt);
    }

    [Fact]
    public void TheGraceIsOverOnlyForAReconnectingPeerOnceItHasRunItsLength()
    {
        var grace = TimeSpan.FromSeconds(10);
        var peer = Registered();
        Assert.False(peer.IsGraceOver(Now.AddHours(1), grace));
        peer.Disconnect(Now);

        Assert.False(peer.IsGraceOver(Now + grace - TimeSpan.FromTicks(1), grace));
        Assert.True(peer.IsGraceOver(Now + grace, grace));
        Assert.True(peer.IsGraceOver(Now, TimeSpan.Zero));
    }

    [Fact]
    public void AnEndedSessionIsGoneAndAGonePeerHasNoGraceToRunOut()
    {
        var peer = Registered();
        peer.Disconnect(Now);
        var disconnectedAt = Now;
        _time.Advance(TimeSpan.FromSeconds(10));

        peer.End(Now);

        Assert.Equal(PeerState.Gone, peer.State);
        Assert.Null(peer.ReconnectingSince);
        Assert.Equal(disconnectedAt, peer.LastSeenAt);
        Assert.False(peer.IsGraceOver(Now.AddHours(1), TimeSpan.Zero));
        peer.Disconnect(Now);
        Assert.Equal(PeerState.Gone, peer.State);
    }

    [Fact]
    public void APeerEndedWhileConnectedWasLastSeenWhenItEnded()
    {
        var peer = Registered();
        _time.Advance(TimeSpan.FromSeconds(3));

        peer.End(Now);

        Assert.Equal(Now, peer.LastSeenAt);
    }

    [Theory]
    [InlineData(PeerState.Connected, true)]
    [InlineData(PeerState.Reconnecting, true)]
    [InlineData(PeerState.Gone, false)]
    public void TheSameIncarnationFindsItsSessionUnlessItWasGone(PeerState before, bool sessionPresent)
    {
        var peer = In(before);
        _time.Advance(TimeSpan.FromSeconds(4));

        var registration = peer.Connect("inc-1", "Lamp again", 2, Now);

        Assert.Equal(new Registration(sessionPresent, null), registration);
        Assert.Equal(PeerState.Connected, peer.State);
        Assert.Equal("Lamp again", peer.Name);
        Assert.Equal(Now, peer.ConnectedAt);
        Assert.Null(peer.ReconnectingSince);
        Assert.Equal(2, peer.SyncEpoch);
        Assert.Equal(1, peer.IncarnationEpoch);
        Assert.Empty(peer.ReplacedIncarnations);
    }

    [Theory]
    [InlineData(PeerState.Connected, "inc-1")]
    [InlineData(PeerState.Reconnecting, "inc-1")]
    [InlineData(PeerState.Gone, null)]
    public void ANewIncarnationEndsTheOldOneAtOnceUnlessItWasGoneAlready(PeerState before, string? ended)
    {
        var peer = In(before);

        var registration = peer.Connect("inc-2", "Lamp", 5, Now);

        Assert.Equal(new Registration(false, ended), registration);
        Assert.Equal("inc-2", peer.Incarnation);
        Assert.Equal(PeerState.Connected, peer.State);
        Assert.Equal(["inc-1"], peer.ReplacedIncarnations);
        Assert.Equal(5, peer.SyncEpoch);
        Assert.Equal(5, peer.IncarnationEpoch);
    }

    [Fact]
    public void TheReplacedIncarnationCanNeverRegisterAgainAndChangesNothing()
    {
        var peer = Registered();
        peer.Connect("inc-2", "Lamp", 2, Now);
        peer.Disconnect(Now);

        Assert.Throws<StaleIncarnationException>(() => peer.Connect("inc-1", "Old lamp", 3, Now));
        Assert.Equal("inc-2", peer.Incarnation);
        Assert.Equal(PeerState.Reconnecting, peer.State);
        Assert.Equal(2, peer.SyncEpoch);
        Assert.Equal("Lamp", peer.Name);
    }

    [Fact]
    public void TheLatestReplacedIncarnationsAreAllRefusedAndTheOldestBeyondTheLimitIsForgotten()
    {
        var peer = Registered(); // inc-1
        for (var i = 2; i <= PeerRules.MaxReplacedIncarnations + 2; i++)
        {
            peer.Connect($"inc-{i}", "Lamp", i, Now);
        }

        Assert.Equal(PeerRules.MaxReplacedIncarnations, peer.ReplacedIncarnations.Count);
        Assert.Equal($"inc-{PeerRules.MaxReplacedIncarnations + 1}", peer.ReplacedIncarnations[0]); // the latest first
        foreach (var stale in Enumerable.Range(2, PeerRules.MaxReplacedIncarnations).Select(i => $"inc-{i}"))
        {
            Assert.Throws<StaleIncarnationException>(() => peer.Connect(stale, "Old lamp", 99, Now));
        }
        Assert.Equal(new Registration(false, $"inc-{PeerRules.MaxReplacedIncarnations + 2}"), peer.Connect("inc-1", "Lamp", 100, Now));
    }

    [Fact]
    public void TheIncarnationThatRegisteredLastWinsWhateverItsValue()
    {
        var peer = Peer.Register("lamp-1", "b", "Lamp", 1, Now);

        peer.Connect("a", "Lamp", 2, Now);

        Assert.Equal("a", peer.Incarnation);
        Assert.Throws<StaleIncarnationException>(() => peer.Connect("b", "Lamp", 3, Now));
    }

    private Peer In(PeerState state)
    {
        var peer = Registered();
        if (state != PeerState.Connected)
        {
            peer.Disconnect(Now);
        }
        if (state == PeerState.Gone)
        {
            peer.End(Now);
        }
        Assert.Equal(state, peer.State);
        return peer;
    }
}
