using System.Security.Claims;
using Equip.Infrastructure.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Equip.Web.Access;

/// The dashboard's sign-in: the admin key, exchanged for a session cookie (HttpOnly, SameSite
/// strict) that names the admin key it was made with and a session of its own, which the
/// sign-out ends on the server too.
public static class DashboardSignIn
{
    public const string Path = "/signin";
    public const string SignOutPath = "/signout";

    /// Signs the browser in when the key is the admin key; false (and nothing set) otherwise.
    public static async Task<bool> SignInAsync(HttpContext http, string? key)
    {
        var admin = http.RequestServices.GetRequiredService<AdminKey>();
        if (string.IsNullOrWhiteSpace(key) || key.Trim().Length > Keys.MaxLength || !admin.Matches(key.Trim()))
        {
            return false;
        }
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            Callers.DashboardPrincipal(CookieAuthenticationDefaults.AuthenticationScheme, admin.Stamp, DashboardSessions.NewSessionId()),
            new AuthenticationProperties { IsPersistent = true });
        return true;
    }

    /// Ends the browser's session on the server (a copy of its cookie is refused from now on, and
    /// its open tabs but the one that signs out, if named, leave), then deletes the cookie.
    public static async Task SignOutAsync(HttpContext http, string? tab)
    {
        if (http.User.SessionId() is { } session)
        {
            await http.RequestServices.GetRequiredService<DashboardSessions>().EndAsync(session, tab, http.RequestAborted);
        }
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// Whether a cookie's principal still holds: made with today's admin key, in a session that
    /// was not signed out.
    public static bool Holds(ClaimsPrincipal? principal, AdminKey admin, DashboardSessions sessions) =>
        principal?.FindFirst(Callers.AdminStampClaim)?.Value == admin.Stamp
        && principal.SessionId() is { } session && !sessions.IsEnded(session);
}
