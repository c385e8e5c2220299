using Equip.Infrastructure.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Equip.Web.Access;

/// The dashboard's sign-in: the admin key, exchanged for a session cookie (HttpOnly, SameSite
/// strict) that names the admin key it was made with.
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
            Callers.AdminPrincipal(CookieAuthenticationDefaults.AuthenticationScheme, admin.Stamp),
            new AuthenticationProperties { IsPersistent = true });
        return true;
    }

    public static Task SignOutAsync(HttpContext http) => http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
}
