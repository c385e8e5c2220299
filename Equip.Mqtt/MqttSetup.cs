using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Equip.Infrastructure;
using MQTTnet;
using MQTTnet.AspNetCore;
using MQTTnet.Server;

namespace Equip.Mqtt;

/// The MQTT broker inside the server: MQTTnet's own TCP listener on Equip:Mqtt:Address and Port
/// (not a Kestrel endpoint, so that --urls and ASPNETCORE_URLS keep deciding the HTTP listener),
/// and MQTT over WebSockets at Equip:Mqtt:WebSocketPath on the HTTP listener.
public static partial class MqttSetup
{
    public static WebApplicationBuilder AddEquipMqtt(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MqttOptions>().BindConfiguration(MqttOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(MqttOptions.Section).Get<MqttOptions>() ?? new MqttOptions();
        if (!options.Enabled)
        {
            return builder;
        }
        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Parse(options.Address))
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(options.Port)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(options.MaxPendingMessagesPerClient)
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropOldestQueuedMessage)
            .Build();
        // Not MQTTnet's hosted server, which starts in the background once the application has
        // started, and swallows a port it cannot bind: this one starts (or fails) before the
        // server answers /health.
        services.AddSingleton(serverOptions);
        services.AddSingleton<MqttNetLog>();
        services.AddSingleton(provider => new MqttServerFactory().CreateMqttServer(serverOptions, provider.GetServices<IMqttServerAdapter>(), provider.GetRequiredService<MqttNetLog>()));
        services.AddMqttTcpServerAdapter();
        services.AddMqttConnectionHandler();
        services.AddConnections();
        services.AddSingleton<MqttClients>();
        services.AddSingleton<BrokerTopics>();
        services.AddSingleton<HomieDevices>();
        services.AddSingleton<HaEntities>();
        services.AddSingleton<NativeContainers>();
        services.AddSingleton<NativeRequests>();
        services.AddSingleton<RetainedMessages>();
        services.AddSingleton<LostDevices>();
        services.AddSingleton<MqttRateLimits>();
        services.AddSingleton<LinkedTopics>();
        services.AddSingleton<BrokerOutbox>();
        services.AddSingleton<WrittenValues>();
        services.AddSingleton<MqttBroker>();
        services.AddLeaderOnly(sp => ActivatorUtilities.CreateInstance<BrokerAttachment>(sp)); // a follower serves no MQTT (docs/scaling.md)
        return builder;
    }

    public static WebApplication MapEquipMqtt(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MqttOptions>>().Value;
        if (options.Enabled)
        {
            // A cluster's follower serves no MQTT (docs/scaling.md): its WebSocket path says so.
            var leadership = app.Services.GetRequiredService<Equip.Infrastructure.Cluster.Leadership>();
            app.Use(async (context, next) =>
            {
                if (leadership.Follows && context.Request.Path.StartsWithSegments(options.WebSocketPath))
                {
                    context.Response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status503ServiceUnavailable;
                    await context.Response.WriteAsync("MQTT is served by the cluster's leader; this node follows it (GET /health/leader answers 200 on the leader).");
                    return;
                }
                await next(context);
            });
            // The key is checked at CONNECT (the MQTT password), not on the HTTP upgrade.
            app.MapConnectionHandler<MqttConnectionHandler>(options.WebSocketPath, o =>
            {
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                o.WebSockets.SubProtocolSelector = MqttSubProtocolSelector.SelectSubProtocol;
            }).AllowAnonymous();
        }
        return app;
    }

    /// Attaches the broker's handlers and starts it, after the dataspace and before the HTTP
    /// listener; stops it (MQTT 5 clients are told the server is shutting down) first.
    private sealed partial class BrokerAttachment(MqttServer server, MqttBroker broker, LostDevices lost, MqttServerOptions serverOptions, IOptions<MqttOptions> options, ILogger<MqttBroker> logger) : IHostedService
    {
        private readonly CancellationTokenSource _stopping = new();

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            broker.Attach(server);
            try
            {
                await server.StartAsync();
            }
            catch (System.Net.Sockets.SocketException error)
            {
                throw new InvalidOperationException($"The MQTT broker cannot listen on {options.Value.Address}:{options.Value.Port} "
                    + $"(Equip:Mqtt:Address, Equip:Mqtt:Port): {error.Message}. Choose another port, or set Equip:Mqtt:Enabled=false.", error);
            }
            // Devices that wait for Home Assistant to come online (ESPHome, Tasmota, Zigbee2MQTT)
            // announce their entities when they see this.
            await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(new MqttApplicationMessageBuilder()
                .WithTopic(MqttBroker.HaStatusTopic).WithPayload("online").WithRetainFlag().Build()) { SenderClientId = MqttBroker.PeerId });
            Listening(logger, $"{options.Value.Address}:{serverOptions.DefaultEndpointOptions.Port}", options.Value.WebSocketPath);
            _ = Task.Run(async () =>
            {
                try
                {
                    await lost.MarkAfterGraceAsync(server, _stopping.Token);
                }
                catch (Exception error) when (error is OperationCanceledException or InvalidOperationException)
                {
                    // stopping
                }
            });
        }

        [LoggerMessage(1, LogLevel.Information, "MQTT broker listening on {Endpoint} (TCP) and at {Path} on the HTTP listener (WebSockets); clients send a key as the password.", EventName = "MqttListening")]
        private static partial void Listening(ILogger logger, string endpoint, string path);

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            await _stopping.CancelAsync();
            try
            {
                await server.StopAsync(new MqttServerStopOptions());
            }
            catch (Exception error) when (error is InvalidOperationException or NullReferenceException)
            {
                // MQTTnet 5.2's TCP adapter clears and disposes its listeners without a lock; a
                // cleanup running beside this one (seen under the test suite's parallel hosts, as
                // "Collection was modified" and as a null reference) makes this one throw. The
                // listeners are closed either way, and the process or host is going away.
            }
        }
    }
}
