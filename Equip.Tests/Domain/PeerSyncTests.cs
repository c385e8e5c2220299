using Equip.Domain.Peers;

namespace Equip.Tests.Domain;

/// Fencing, sync complete's sweep and the transitions a peer records for the writer to publish.
public sealed class PeerSyncTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 20, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AFreshIncarnationLetsGoOfNothing()
    {
        var peer = Peer.Register("lamp-1", "inc-1", "Lamp", 4, At);

        Assert.False(peer.LetGoOf(null));
        Assert.False(peer.LetGoOf(3));
        Assert.False(peer.LetGoOf(4));
    }

    [Fact]
    public void AfterAReconnectWhatThisIncarnationAssertedEarlierAndNotSinceWasLetGo()
    {
        var peer = Peer.Register("lamp-1", "inc-1", "Lamp", 4, At);
        peer.Disconnect(At);
        peer.Connect("inc-1", "Lamp", 6, At);

        Assert.True(peer.LetGoOf(4));
        Assert.True(peer.LetGoOf(5));
        Assert.False(peer.LetGoOf(6));
    }

    [Fact]
    public void WhatAnEarlierIncarnationOrNoProcessOfThePeerAssertedIsSpared()
    {
        var peer = Peer.Register("lamp-1", "inc-1", "Lamp", 1, At);
        peer.Connect("inc-2", "Lamp", 3, At);
        peer.Disconnect(At);
        peer.Connect("inc-2", "Lamp", 5, At);

        Assert.False(peer.LetGoOf(null));
        Assert.False(peer.LetGoOf(1));
        Assert.False(peer.LetGoOf(2));
        Assert.True(peer.LetGoOf(3));
        Assert.True(peer.LetGoOf(4));
        Assert.False(peer.LetGoOf(5));
    }

    [Fact]
    public void TheSameIncarnationBackFromGoneStillSweepsWhatItAssertedBefore()
    {
        var peer = Peer.Register("lamp-1", "inc-1", "Lamp", 1, At);
        peer.End(At);
        peer.Connect("inc-1", "Lamp", 2, At);

        Assert.True(peer.LetGoOf(1));
    }

    [Fact]
    public void OnlyTheCurrentIncarnationSpeaksForThePeer()
    {
        var peer = Peer.Register("lamp-1", "inc-1", "Lamp", 1, At);
        var old = new PeerActor("lamp-1", "inc-1", 1);
        var current = new PeerActor("lamp-1", "inc-2", 2);

        peer.Connect("inc-2", "Lamp", 2, At);

        peer.EnsureSpeaksFor(current);
        Assert.Throws<StaleIncarnationException>(() => peer.EnsureSpeaksFor(old));
    }

    [Fact]
    public void AReplacedConnectionOfTheSameIncarnationIsNotFencedButIsNoLongerTheCurrentAssociation()
    {
        var peer = Peer.Register("lamp-1", "inc-1", "Lamp", 1, At);
        var first = new PeerActor("lamp-1", "inc-1", 1);
        var second = new PeerActor("lamp-1", "inc-1", 2);

        peer.Connect("inc-1", "Lamp", 2, At);

        peer.EnsureSpeaksFor(first);
        Assert.False(peer.IsCurrentAssociation(first));
        Assert.True(peer.IsCurrentAssociation(second));
        Assert.False(peer.IsCurrentAssociation(new PeerActor("lamp-1", "inc-2", 2)));
    }

    [Fact]
    public void AGonePeerSpeaksForNoOneUntilItRegistersAgain()
    {
        var peer = Peer.Register("lamp-1", "inc-1", "Lamp", 1, At);
        var actor = new PeerActor("lamp-1", "inc-1", 1);
        peer.Disconnect(At);
        peer.EnsureSpeaksFor(actor);

        peer.End(At);

        Assert.Throws<StaleIncarnationException>(() => peer.EnsureSpeaksFor(actor));
    }

    [Fact]
    public void EveryChangeOfStateIsRecordedOnceInOrder()
    {
        var peer = Peer.Register("lamp-1", "inc-1", "Lamp", 1, At);
        peer.Disconnect(At.AddSeconds(1));
        peer.Disconnect(At.AddSeconds(2));
        peer.Connect("inc-1", "Lamp", 2, At.AddSeconds(3));
        peer.Connect("inc-2", "Lamp", 3, At.AddSeconds(4));
        peer.End(At.AddSeconds(5));
        peer.End(At.AddSeconds(6));

        Assert.Equal(
        [
            new PeerTransition("lamp-1", "inc-1", null, PeerState.Connected, true, At),
            new PeerTransition("lamp-1", "inc-1", PeerState.Connected, PeerState.Reconnecting, false, At.AddSeconds(1)),
            new PeerTransition("lamp-1", "inc-1", PeerState.Reconnecting, PeerState.Connected, false, At.AddSeconds(3)),
            new PeerTransition("lamp-1", "inc-2", PeerState.Connected, PeerState.Connected, true, At.AddSeconds(4)),
            new PeerTransition("lamp-1", "inc-2", PeerState.Connected, PeerState.Gone, false, At.AddSeconds(5)),
        ], peer.TakeTransitions());
    }

    [Fact]
    public void TakenTransitionsAreNotTakenAgain()
    {
        var peer = Peer.Register("lamp-1", "inc-1", "Lamp", 1, At);
        Assert.Single(peer.TakeTransitions());

        Assert.Empty(peer.TakeTransitions());
        peer.Disconnect(At);
        Assert.Equal(PeerState.Reconnecting, Assert.Single(peer.TakeTransitions()).To);
    }

    [Fact]
    public void ARefusedRegistrationRecordsNoTransition()
    {
        var peer = Peer.Register("lamp-1", "inc-1", "Lamp", 1, At);
        peer.Connect("inc-2", "Lamp", 2, At);
        peer.TakeTransitions();

        Assert.Throws<StaleIncarnationException>(() => peer.Connect("inc-1", "Lamp", 3, At));

        Assert.Empty(peer.TakeTransitions());
    }
}
