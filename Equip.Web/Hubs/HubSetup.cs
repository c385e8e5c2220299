using Microsoft.AspNetCore.SignalR;
using Equip.Infrastructure.Peers;
using Equip.Protocol;

namespace Equip.Web.Hubs;

internal static class HubSetup
{
    public static WebApplicationBuilder AddEquipHub(this WebApplicationBuilder builder, LimitOptions limits)
    {
        var peers = builder.Configuration.GetSection(PeerOptions.Section).Get<PeerOptions>() ?? new PeerOptions();
        builder.Services.AddOptions<HubLimitOptions>().BindConfiguration(HubLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PeerConnections>();
        builder.Services
            .AddSignalR(o =>
            {
                o.KeepAliveInterval = peers.KeepAliveInterval;
                o.ClientTimeoutInterval = peers.ClientTimeout;
                o.MaximumReceiveMessageSize = limits.MaxRequestBodyBytes;
                o.AddFilter(new HubErrorFilter());
            })
            .AddJsonProtocol()
            .AddMessagePackProtocol(o => o.SerializerOptions = EquipMessagePack.Options);
        return builder;
    }
}
