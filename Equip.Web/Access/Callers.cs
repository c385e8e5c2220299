using System.Security.Claims;
using Equip.Domain.Access;
using Equip.Infrastructure.Access;

namespace Equip.Web.Access;

/// Who is calling, as the authentication schemes describe it: the admin (the admin key, or the
/// dashboard's signed-in user) or a device key.
public static class Callers
{
    public const string Admin = "admin";
    public const string Device = "device";
    public const string AdminPolicy = "admin";
    public const string KeyIdClaim = "equip:key-id";

    /// Stamps the admin key's identity on the dashboard's cookie: a new admin key signs every
    /// dashboard session out.
    public const string AdminStampClaim = "equip:admin-stamp";

    /// Names the dashboard session a cookie belongs to, which a sign-out ends (DashboardSessions).
    public const string SessionClaim = "equip:session";

    public static ClaimsPrincipal AdminPrincipal(string scheme, string adminStamp) => new(new ClaimsIdentity(AdminClaims(adminStamp), scheme));

    /// The admin, signed in to the dashboard: the admin's claims, in a session of its own.
    public static ClaimsPrincipal DashboardPrincipal(string scheme, string adminStamp, string sessionId) =>
        new(new ClaimsIdentity([.. AdminClaims(adminStamp), new Claim(SessionClaim, sessionId)], scheme));

    private static Claim[] AdminClaims(string adminStamp) =>
        [new Claim(ClaimTypes.Name, Admin), new Claim(ClaimTypes.Role, Admin), new Claim(AdminStampClaim, adminStamp)];

    public static string? SessionId(this ClaimsPrincipal? user) => user?.FindFirstValue(SessionClaim);

    public static ClaimsPrincipal DevicePrincipal(string scheme, DeviceGrant grant) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, grant.KeyName), new Claim(ClaimTypes.Role, Device), new Claim(KeyIdClaim, grant.KeyId.ToString())], scheme));

    public static bool IsAdmin(this ClaimsPrincipal? user) => user?.IsInRole(Admin) == true;

    public static Guid? KeyId(this ClaimsPrincipal? user) =>
        Guid.TryParse(user?.FindFirstValue(KeyIdClaim), out var id) ? id : null;

    /// The grant that bounds a connection made with a device key (none for the admin); refused
    /// when the key was revoked since the connection was authenticated.
    public static DeviceGrant? GrantOf(this ClaimsPrincipal? user, DeviceKeys keys)
    {
        if (user.IsAdmin())
        {
            return null;
        }
        return user.KeyId() is { } id && keys.GrantOf(id) is { } grant
            ? grant
            : throw new NotPermittedException("The key this connection was made with is revoked.");
    }
}
