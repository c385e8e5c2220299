using System.Diagnostics.CodeAnalysis;

namespace Equip.Web.Dashboard.Access;

/// Where the sign-in sends the browser once it is signed in: a path on this server, never an
/// address elsewhere (a sign-in link that redirected anywhere would be an open redirect).
public static class ReturnPath
{
    public const string Home = "/";

    public static string LocalOrHome(string? returnUrl) => IsLocal(returnUrl) ? returnUrl : Home;

    /// "/peers" is local; "//elsewhere", "/\elsewhere", "https://elsewhere" and anything with
    /// control characters (which browsers drop, so "/\t/elsewhere" reads as "//elsewhere") are not.
    public static bool IsLocal([NotNullWhen(true)] string? url) =>
        url is ['/', ..]
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);
}
