using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Equip.Web;

internal static partial class StartupBanner
{
    public static void PrintWhenStarted(WebApplication app) =>
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
            {
                var root = address.Replace("://[::]", "://localhost").Replace("://0.0.0.0", "://localhost").Replace("://+", "://localhost").TrimEnd('/');
                Running(app.Logger, $"{root}/", $"{root}/swagger");
            }
        });

    [LoggerMessage(1, LogLevel.Information, "Equip is running. Dashboard: {Dashboard}  Swagger UI: {Swagger}")]
    private static partial void Running(ILogger logger, string dashboard, string swagger);
}
