using Equip.Infrastructure.Access;
using Equip.Web.Access;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Equip.Web;

/// The lines a newcomer needs: where the dashboard is, and the admin key to sign in with (shown
/// once, when it is made; after that, where it is kept).
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
            var admin = app.Services.GetRequiredService<AdminKey>();
            if (admin.Generated is { } key)
            {
                NewAdminKey(app.Logger, key, admin.FilePath!);
            }
            else if (admin.FilePath is { } file)
            {
                StoredAdminKey(app.Logger, file);
            }
            SessionKeys(app.Logger, AccessSetup.SessionKeysDirectory(app.Configuration) ?? "the store's data_protection_keys table");
        });

    [LoggerMessage(1, LogLevel.Information, "Equip is running. Dashboard: {Dashboard}  Swagger UI: {Swagger}")]
    private static partial void Running(ILogger logger, string dashboard, string swagger);

    [LoggerMessage(2, LogLevel.Information, "Admin key (shown this once; kept in {KeyFile}): {AdminKey}  Sign in to the dashboard with it, and pass it to devices and REST calls as 'Authorization: Bearer KEY'.")]
    private static partial void NewAdminKey(ILogger logger, string adminKey, string keyFile);

    [LoggerMessage(3, LogLevel.Information, "The admin key is in {KeyFile}.")]
    private static partial void StoredAdminKey(ILogger logger, string keyFile);

    [LoggerMessage(4, LogLevel.Information, "The keys that sign dashboard sessions are kept, unencrypted, in {Where}, so that sessions survive a restart: protect it as the admin key (docs/security.md).")]
    private static partial void SessionKeys(ILogger logger, string where);
}
