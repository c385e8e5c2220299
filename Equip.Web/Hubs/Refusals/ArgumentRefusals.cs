using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Equip.Web.Hubs.Refusals;

internal static class ArgumentRefusals
{
    /// Adds a wrapper of each hub protocol registered so far (JSON and MessagePack) after it:
    /// SignalR uses the last protocol of a name. The originals stay registered, so that a later
    /// AddSignalR (the dashboard's Blazor circuit calls one, and speaks a protocol of its own)
    /// finds them and adds no second plain one.
    public static IServiceCollection RefuseUnboundArguments(this IServiceCollection services)
    {
        var types = services.Where(d => d.ServiceType == typeof(IHubProtocol)
                && d.ImplementationType is { } type
                && (type == typeof(JsonHubProtocol) || type.Name == "MessagePackHubProtocol"))
            .Select(d => d.ImplementationType!).ToList();
        foreach (var type in types)
        {
            services.AddSingleton<IHubProtocol>(sp => new ArgumentRefusingProtocol(
                (IHubProtocol)ActivatorUtilities.CreateInstance(sp, type),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<HubErrorFilter>()));
        }
        return services;
    }
}
