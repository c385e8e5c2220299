using Equip.Infrastructure;
using Equip.Infrastructure.Access;
using Equip.Protocol;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Equip.Infrastructure.Cluster;
using Equip.Infrastructure.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;

namespace Equip.Web.Access;

/// Every endpoint needs a key or the dashboard's sign-in, except /health, the static files and
/// the sign-in page; writes over REST need the admin key (docs/security.md).
public static class AccessSetup
{
    private const string SelectingScheme = "Equip";

    /// Where the keys that sign dashboard sessions are kept: the data directory's
    /// data-protection-keys; null on a cluster's nodes, which share them in the store.
    internal static string? SessionKeysDirectory(IConfiguration configuration) =>
        configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>()?.Enabled == true
            ? null
            : Path.Combine(Path.GetFullPath(configuration.GetSection(EquipOptions.Section).Get<EquipOptions>()?.DataDirectory ?? new EquipOptions().DataDirectory), "data-protection-keys");

    public static WebApplicationBuilder AddEquipAccess(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Cookies and antiforgery tokens stay valid across restarts: their keys live with the data,
        // in a directory only the server's user may read; the nodes of a cluster share them in the store.
        var protection = services.AddDataProtection().SetApplicationName("Equip");
        // Its warning that the keys are stored unencrypted ("No XML encryptor configured") says
        // nothing of why: StartupBanner says it in our words, with where they are (docs/security.md).
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error);
        if (SessionKeysDirectory(builder.Configuration) is { } directory)
        {
            protection.PersistKeysToFileSystem(OwnerOnlyDirectory(directory));
        }
        else
        {
            services.AddOptions<KeyManagementOptions>().Configure<IDbContextFactory<EquipDbContext>>((o, contexts) => o.XmlRepository = new StoredKeyRing(contexts));
        }
        var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        services.AddAuthentication(SelectingScheme)
            .AddPolicyScheme(SelectingScheme, "A key, else the dashboard's cookie", o =>
                o.ForwardDefaultSelector = context => KeyAuthenticationHandler.CarriesKey(context.Request)
                    ? KeyAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, KeyAuthenticationHandler>(KeyAuthenticationHandler.SchemeName, null)
            .AddCookie(o =>
            {
                o.Cookie.Name = "equip.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = DashboardSignIn.Path;
                o.ExpireTimeSpan = auth.SessionLifetime;
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = context => IsDashboardPath(context.Request.Path)
                    ? RedirectAsync(context)
                    : context.HttpContext.ChallengeAsync(KeyAuthenticationHandler.SchemeName);
                o.Events.OnRedirectToAccessDenied = context => context.HttpContext.ForbidAsync(KeyAuthenticationHandler.SchemeName);
                o.Events.OnValidatePrincipal = context =>
                {
                    var services = context.HttpContext.RequestServices;
                    if (!DashboardSignIn.Holds(context.Principal, services.GetRequiredService<AdminKey>(), services.GetRequiredService<DashboardSessions>()))
                    {
                        context.RejectPrincipal(); // signed out, or signed in with an admin key since replaced
                    }
                    return Task.CompletedTask;
                };
            });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Callers.AdminPolicy, policy => policy.RequireRole(Callers.Admin));
        return builder;
    }

    /// Writes over REST (anything but GET and HEAD) need the admin key.
    public static TBuilder RequireAdminForWrites<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            var methods = endpoint.Metadata.OfType<Microsoft.AspNetCore.Routing.HttpMethodMetadata>().SelectMany(m => m.HttpMethods);
            if (methods.Any(m => !HttpMethods.IsGet(m) && !HttpMethods.IsHead(m)))
            {
                endpoint.Metadata.Add(new AuthorizeAttribute(Callers.AdminPolicy));
            }
        });
        return builder;
    }

    private static DirectoryInfo OwnerOnlyDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return Directory.CreateDirectory(path);
        }
        return Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// Pages a browser opens, which redirect to the sign-in; not the API, the hub, the metrics or
    /// the dashboard's own circuit (whose background requests get 401 when the session ended).
    private static bool IsDashboardPath(PathString path) =>
        !path.StartsWithSegments("/api") && !path.StartsWithSegments(HubNames.Path) && !path.StartsWithSegments("/metrics")
        && !path.StartsWithSegments("/_blazor");

    private static Task RedirectAsync(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
