using Microsoft.AspNetCore.SignalR;
using Equip.Infrastructure.Peers;
using Equip.Protocol;

namespace Equip.Web.Hubs;

internal static class HubSetup
{
    private const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public static WebApplicationBuilder AddEquipHub(this WebApplicationBuilder builder, LimitOptions limits)
    {
        var peers = builder.Configuration.GetSection(PeerOptions.Section).Get<PeerOptions>() ?? new PeerOptions();
        builder.Services.AddOptions<HubLimitOptions>().BindConfiguration(HubLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PeerConnections>();
        builder.Services.AddSingleton<HubErrorFilter>();
        // HubErrorFilter logs every failed call once, at its level: SignalR's own line for it is an
        // error with a stack trace even when the client was refused.
        builder.Logging.AddFilter(DispatcherCategory, LogLevel.Critical);
        builder.Services
            .AddSignalR(o =>
            {
                o.KeepAliveInterval = peers.KeepAliveInterval;
                o.ClientTimeoutInterval = peers.ClientTimeout;
                o.MaximumReceiveMessageSize = limits.MaxRequestBodyBytes;
                o.AddFilter<HubErrorFilter>();
            })
            .AddJsonProtocol()
            .AddMessagePackProtocol(o => o.SerializerOptions = EquipMessagePack.Options);
        return builder;
    }
}
