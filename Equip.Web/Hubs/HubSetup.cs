using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Equip.Infrastructure.Peers;
using Equip.Protocol;
using Equip.Web.Hubs.Refusals;
using Equip.Web.Hubs.Connections;
using Equip.Web.Hubs.FanOut;

namespace Equip.Web.Hubs;

internal static class HubSetup
{
    private const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public static WebApplicationBuilder AddEquipHub(this WebApplicationBuilder builder, LimitOptions limits)
    {
        var peers = builder.Configuration.GetSection(PeerOptions.Section).Get<PeerOptions>() ?? new PeerOptions();
        builder.Services.AddOptions<HubLimitOptions>().BindConfiguration(HubLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PeerConnections>();
        builder.Services.AddSingleton<ChangeDispatcher>();
        builder.Services.AddSingleton<SubscriptionStarts>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ChangeDispatcher>());
        builder.Services.AddSingleton<HubErrorFilter>();
        builder.Services.AddSingleton<HubRateLimitFilter>();
        builder.Services.AddSingleton<DefaultHubLifetimeManager<DataspaceHub>>();
        builder.Services.AddSingleton<ClosingHubLifetimeManager>();
        builder.Services.AddSingleton<HubLifetimeManager<DataspaceHub>>(sp => sp.GetRequiredService<ClosingHubLifetimeManager>());
        builder.Services.AddSingleton<ConnectionLiveness>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConnectionLiveness>());
        builder.Services.AddHostedService<HubShutdown>();
        // HubErrorFilter logs every failed call once, at its level: SignalR's own line for it is an
        // error with a stack trace even when the client was refused.
        builder.Logging.AddFilter(DispatcherCategory, LogLevel.Critical);
        // For this hub only: the dashboard's Blazor circuit is a SignalR hub too, with rules of its own.
        builder.Services
            .AddSignalR()
            .AddHubOptions<DataspaceHub>(o =>
            {
                o.KeepAliveInterval = peers.KeepAliveInterval;
                // ConnectionLiveness enforces Equip:Peers:ClientTimeout on every byte, with a Close of
                // its own; SignalR's timeout (counted from the first Ping only) is kept as a backstop
                // well behind it, so that the two never race to close one connection differently.
                o.ClientTimeoutInterval = peers.ClientTimeout * 2;
                o.MaximumReceiveMessageSize = limits.MaxRequestBodyBytes;
                o.AddFilter<HubErrorFilter>();
                o.AddFilter<HubRateLimitFilter>(); // inside the error filter, which then sees its refusals
            })
            .AddJsonProtocol()
            .AddMessagePackProtocol(o => o.SerializerOptions = EquipMessagePack.Options);
        builder.Services.RefuseUnboundArguments();
        return builder;
    }

    /// The hub at /hubs/dataspace, behind ConnectionLiveness (what MapHub does, plus that).
    public static IEndpointRouteBuilder MapDataspaceHub(this IEndpointRouteBuilder app)
    {
        var liveness = app.ServiceProvider.GetRequiredService<ConnectionLiveness>();
        app.MapConnections(HubNames.Path, new HttpConnectionDispatcherOptions(), connection => connection
                .Use(next => context => liveness.ServeAsync(context, next))
                .UseHub<DataspaceHub>())
            .WithMetadata(new HubMetadata(typeof(DataspaceHub)));
        return app;
    }
}
