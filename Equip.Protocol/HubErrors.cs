using System.Text.RegularExpressions;

namespace Equip.Protocol;

/// <summary>
/// The codes a hub error starts with. On the wire the error text reads
/// "An unexpected error occurred invoking 'Add' on the server. HubException: not-found: No item has id ...":
/// the code is the first of these words followed by a colon. A Close the server sends carries one too.
/// </summary>
public static partial class HubErrors
{
    /// <summary>A call before Register.</summary>
    public const string NotRegistered = "not-registered";
    /// <summary>Register on a connection that registered already.</summary>
    public const string AlreadyRegistered = "already-registered";
    /// <summary>A subscription id used twice on one connection.</summary>
    public const string DuplicateSubscription = "duplicate-subscription";
    /// <summary>A request that breaks a rule (missing type, fields not an object, bad lease, bad pattern).</summary>
    public const string Invalid = "invalid";
    /// <summary>No item has that id.</summary>
    public const string NotFound = "not-found";
    /// <summary>The item is not at the expected revision.</summary>
    public const string RevisionMismatch = "revision-mismatch";
    /// <summary>Renewal of an item without a lease.</summary>
    public const string NoLease = "no-lease";
    /// <summary>The change log no longer reaches back that far.</summary>
    public const string Compacted = "compacted";
    /// <summary>Another incarnation of this peer took over; this one is fenced off.</summary>
    public const string StaleIncarnation = "stale-incarnation";
    /// <summary>A Close reason: a newer connection of the same incarnation registered and took this one's place.</summary>
    public const string Replaced = "replaced";
    /// <summary>The server is stopping.</summary>
    public const string Stopping = "stopping";
    /// <summary>The store failed while committing; the write may or may not be stored.</summary>
    public const string OutcomeUnknown = "outcome-unknown";
    /// <summary>The connection's key does not allow this (a peer id or container id it is not bound to, an item type only the admin writes).</summary>
    public const string Forbidden = "forbidden";
    /// <summary>A change, renewal or delete of an item another peer (or no peer) is responsible for.</summary>
    public const string NotResponsible = "not-responsible";
    /// <summary>An add of an existing id whose item has another responsible: adds never take an item over.</summary>
    public const string Owned = "owned";
    /// <summary>A Close reason: the key the connection was made with was revoked. Reconnecting with it cannot help.</summary>
    public const string KeyRevoked = "key-revoked";
    /// <summary>A Close reason: nothing arrived on the connection for the client timeout. Reconnecting helps.</summary>
    public const string ClientTimeout = "client-timeout";
    /// <summary>The connection sent more calls than its rate limit allows; retry after the time the message gives.</summary>
    public const string RateLimited = "rate-limited";
    /// <summary>A configured limit was reached (subscriptions per connection, items per call).</summary>
    public const string LimitReached = "limit-reached";

    /// <summary>The code of a hub error's text, or null when it carries none.</summary>
    public static string? CodeOf(string? errorText)
    {
        if (errorText is null)
        {
            return null;
        }
        var match = CodePattern().Match(errorText);
        return match.Success ? match.Groups["code"].Value : null;
    }

    /// <summary>The wait a rate-limited error asks for ("retry after N ms"), or null when it gives none.</summary>
    public static TimeSpan? RetryAfterOf(string? errorText)
    {
        var match = errorText is null ? Match.Empty : RetryAfterPattern().Match(errorText);
        return match.Success ? TimeSpan.FromMilliseconds(double.Parse(match.Groups["ms"].Value, System.Globalization.CultureInfo.InvariantCulture)) : null;
    }

    [GeneratedRegex(@"retry after (?<ms>[0-9]+) ms")]
    private static partial Regex RetryAfterPattern();

    /// The first known code followed by ": ", whatever precedes it: a call's error reads
    /// "... HubException: not-found: ...", a Close's "... error: stale-incarnation: ..." (each client
    /// library words its prefix its own way).
    [GeneratedRegex(@"(?<![a-z-])(?<code>not-registered|already-registered|duplicate-subscription|invalid|not-found|revision-mismatch|no-lease|compacted|stale-incarnation|replaced|stopping|outcome-unknown|forbidden|not-responsible|owned|key-revoked|client-timeout|rate-limited|limit-reached): ")]
    private static partial Regex CodePattern();
}
