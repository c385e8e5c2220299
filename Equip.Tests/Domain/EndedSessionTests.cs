using Equip.Domain.Access;

namespace Equip.Tests.Domain;

public sealed class EndedSessionTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 20, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    [Fact]
    public void AnEndedSessionRecordsWhenItEnded()
    {
        var session = EndedSession.Create("session-1", At);

        Assert.Equal("session-1", session.SessionId);
        Assert.Equal(At, session.EndedAt);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void ASessionNeedsAnId(string id) => Assert.Throws<ArgumentException>(() => EndedSession.Create(id, At));

    [Fact]
    public void ANullSessionIdIsRefused() => Assert.Throws<ArgumentNullException>(() => EndedSession.Create(null!, At));

    // A cookie issued just before the sign-out lives one whole lifetime; the record must outlast it.
    [Fact]
    public void TheRecordIsKeptForOneWholeSessionLifetimeAfterTheSignOut()
    {
        var session = EndedSession.Create("session-1", At);

        Assert.False(session.HasLapsed(Lifetime, At));
        Assert.False(session.HasLapsed(Lifetime, At + Lifetime));
        Assert.True(session.HasLapsed(Lifetime, At + Lifetime + TimeSpan.FromTicks(1)));
    }
}
