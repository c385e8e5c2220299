using Equip.Web.Access;
using Equip.Web.Dashboard.Graph;
using Equip.Web.Dashboard.Live;

namespace Equip.Web.Dashboard;

public static class DashboardSetup
{
    public static WebApplicationBuilder AddEquipDashboard(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.RefreshInterval >= TimeSpan.FromMilliseconds(10) && o.RefreshInterval <= TimeSpan.FromSeconds(10),
                "Equip:Dashboard:RefreshInterval must be between 10 ms and 10 s.")
            .ValidateOnStart();
        services.AddSingleton<LiveInstallation>();
        services.AddSingleton<PastInstallation>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveInstallation>());
        services.AddSingleton<GraphLayout>();
        services.AddRazorComponents().AddInteractiveServerComponents();
        return builder;
    }

    public static WebApplication MapEquipDashboard(this WebApplication app)
    {
        app.UseAntiforgery();
        // The dashboard is the admin's (its cookie, or the admin key): a device key opens neither
        // its pages nor its circuit. The sign-in page alone is open ([AllowAnonymous]).
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode().RequireAuthorization(Callers.AdminPolicy);
        return app;
    }
}
