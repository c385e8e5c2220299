using Equip.Protocol;

namespace Equip.Web.Hubs.Connections;

/// When the server stops, every hub connection is sent a Close message whose error is `stopping`
/// and which allows reconnecting, so that the devices know to come back (to the next instance) at
/// once, instead of seeing their connection cut.
///
/// It runs in ApplicationStopping, before SignalR's own handler there cuts every connection: that
/// one registers when the endpoints are mapped, this one when the hosted services start, later,
/// and a token's callbacks run last-registered first.
internal sealed class HubShutdown(ClosingHubLifetimeManager hubs, IHostApplicationLifetime lifetime, ILogger<HubShutdown> logger) : IHostedService
{
    /// How long the clients get to close their side after the Close message.
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    /// What a connection is told when the server stops (the Close's error, and StoppingRefusal's 503).
    public static readonly string Message = $"{HubErrors.Stopping}: The server is stopping; reconnect.";

    private CancellationTokenRegistration _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(() =>
        {
            var closed = hubs.CloseAllAsync(Message, allowReconnect: true, CloseGrace)
                .GetAwaiter().GetResult();
            HubShutdownLog.Closed(logger, closed);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Dispose();
        return Task.CompletedTask;
    }
}

internal static partial class HubShutdownLog
{
    [LoggerMessage(1, LogLevel.Information, "Closed {Count} hub connections for the shutdown.")]
    public static partial void Closed(ILogger logger, int count);
}
