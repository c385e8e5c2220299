namespace Equip.Domain.Access;

/// A dashboard session that was signed out. Its cookie may still be presented (copied, or kept
/// by another tab); the session id found here refuses it. Kept for one session lifetime after the
/// sign-out: by then every cookie of the session has expired by itself.
public sealed class EndedSession
{
    private EndedSession()
    {
    }

    public string SessionId { get; private set; } = "";
    public DateTimeOffset EndedAt { get; private set; }

    public static EndedSession Create(string sessionId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        return new EndedSession { SessionId = sessionId, EndedAt = now };
    }

    /// Whether every cookie of the session has expired by itself, so that the record may go.
    public bool HasLapsed(TimeSpan sessionLifetime, DateTimeOffset now) => EndedAt + sessionLifetime < now;
}
