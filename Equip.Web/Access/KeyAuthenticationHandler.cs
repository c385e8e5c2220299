using System.Text.Encodings.Web;
using Equip.Infrastructure.Access;
using Equip.Protocol;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Equip.Web.Access;

/// Authenticates a request by its key: `Authorization: Bearer KEY`, or, on the hub's path only,
/// the `access_token` query parameter (what SignalR's browser clients send on WebSockets).
internal sealed partial class KeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    AdminKey admin,
    DeviceKeys devices,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    public const string SchemeName = "Key";
    private const string BearerPrefix = "Bearer ";
    private const string AccessTokenParameter = "access_token";

    /// Whether the request carries a key at all (else the dashboard's cookie is looked at).
    public static bool CarriesKey(HttpRequest request) =>
        request.Headers.Authorization.Count > 0 || IsHubRequest(request) && request.Query.ContainsKey(AccessTokenParameter);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = KeyOf(Request);
        if (key is null)
        {
            return Task.FromResult(Request.Headers.Authorization.Count > 0
                ? AuthenticateResult.Fail("The Authorization header is not 'Bearer KEY'.")
                : AuthenticateResult.NoResult());
        }
        if (key.Length is < Keys.MinLength or > Keys.MaxLength)
        {
            return Task.FromResult(AuthenticateResult.Fail("The key is unknown or revoked."));
        }
        var hash = Keys.Hash(key); // once, for the admin key and the device keys alike
        if (admin.MatchesHash(hash))
        {
            return Task.FromResult(Success(Callers.AdminPrincipal(SchemeName, admin.Stamp)));
        }
        return Task.FromResult(devices.FindByHash(hash) is { } grant
            ? Success(Callers.DevicePrincipal(SchemeName, grant))
            : AuthenticateResult.Fail("The key is unknown or revoked."));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        Refused(Logger, Request.Method, Request.Path, failure?.Message ?? "no key");
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await WriteProblemAsync("Authentication required", failure?.Message
            ?? "Send a key: 'Authorization: Bearer KEY' (the admin key the server printed, or a device key), or sign in to the dashboard.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await WriteProblemAsync("Forbidden", "This needs the admin key; a device key may read, and write only through the hub as its peer.");
    }

    private async Task WriteProblemAsync(string title, string detail) =>
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = Response.StatusCode, Title = title, Detail = detail },
        });

    private AuthenticateResult Success(System.Security.Claims.ClaimsPrincipal principal) =>
        AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));

    private static string? KeyOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            return header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? header[BearerPrefix.Length..].Trim() : null;
        }
        return IsHubRequest(request) && request.Query.TryGetValue(AccessTokenParameter, out var token) ? token.ToString() : null;
    }

    private static bool IsHubRequest(HttpRequest request) => request.Path.StartsWithSegments(HubNames.Path);

    [LoggerMessage(1, LogLevel.Warning, "Refused {Method} {Path}: {Reason}", EventName = "AuthenticationRefused")]
    private static partial void Refused(ILogger logger, string method, string path, string reason);
}
