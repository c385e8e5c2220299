using System.Collections.Concurrent;
using System.Security.Cryptography;
using Equip.Domain.Access;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.Access;

/// The dashboard's sessions: each sign-in gets an id its cookie carries, and a sign-out ends that
/// id for good, so that a copy of the cookie (another tab, another browser) is refused too. The
/// store keeps the ended ids for one session lifetime; this node keeps them in memory (loaded at
/// start), so that checking a cookie costs no database round trip.
public sealed partial class DashboardSessions(IDbContextFactory<EquipDbContext> contexts, IOptions<AuthOptions> options,
    TimeProvider time, ILogger<DashboardSessions> logger) : IHostedService
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _ended = new(StringComparer.Ordinal);

    /// Raised after a session was ended (its id, and the dashboard tab that ended it, if named),
    /// so that its open dashboard circuits leave.
    public event Action<string, string?>? Ended;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var lifetime = options.Value.SessionLifetime;
        var now = time.GetUtcNow();
        await using var db = contexts.CreateDbContext();
        var lapsed = 0;
        foreach (var session in await db.EndedSessions.ToListAsync(cancellationToken))
        {
            if (session.HasLapsed(lifetime, now))
            {
                db.EndedSessions.Remove(session);
                lapsed++;
            }
            else
            {
                _ended[session.SessionId] = session.EndedAt;
            }
        }
        if (lapsed > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// Takes in the sessions another node of the cluster ended (ClusterRefresh); their open
    /// dashboard circuits here leave.
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        foreach (var session in await db.EndedSessions.AsNoTracking().ToListAsync(cancellationToken))
        {
            if (_ended.TryAdd(session.SessionId, session.EndedAt))
            {
                Ended?.Invoke(session.SessionId, null);
            }
        }
    }

    /// A new session's id: 128 random bits.
    public static string NewSessionId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public bool IsEnded(string sessionId) => _ended.ContainsKey(sessionId);

    /// Ends a session for good: its cookie is refused from now on, wherever it is presented.
    public async Task EndAsync(string sessionId, string? endedBy, CancellationToken cancellationToken)
    {
        var ended = EndedSession.Create(sessionId, time.GetUtcNow());
        if (!_ended.TryAdd(sessionId, ended.EndedAt))
        {
            return;
        }
        await using var db = contexts.CreateDbContext();
        db.EndedSessions.Add(ended);
        await db.SaveChangesAsync(cancellationToken);
        SessionEnded(logger, sessionId[..8]);
        Ended?.Invoke(sessionId, endedBy);
    }

    [LoggerMessage(1, LogLevel.Information, "Dashboard session {SessionPrefix}… signed out; its cookie is refused from now on.", EventName = "DashboardSessionEnded")]
    private static partial void SessionEnded(ILogger logger, string sessionPrefix);
}
