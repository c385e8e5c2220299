using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Equip.Tests.Support;

/// The infrastructure layer alone, started as the server starts it, on a fake clock.
public sealed class StoreHost : IAsyncDisposable
{
    private readonly IHost _host;

    private StoreHost(IHost host, FakeTimeProvider time)
    {
        _host = host;
        Time = time;
    }

    public FakeTimeProvider Time { get; }

    public IDataspace Dataspace => _host.Services.GetRequiredService<IDataspace>();

    public IChangeFeed Feed => _host.Services.GetRequiredService<IChangeFeed>();

    public IPeerSessions Peers => _host.Services.GetRequiredService<IPeerSessions>();

    public IPeerFeed PeerFeed => _host.Services.GetRequiredService<IPeerFeed>();

    public IServiceProvider Services => _host.Services;

    public static async Task<StoreHost> StartAsync(TestStore store, FakeTimeProvider? time = null, params (string Key, string Value)[] settings)
    {
        time ??= new FakeTimeProvider(DateTimeOffset.UtcNow);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration["Logging:LogLevel:Default"] = "Warning"; // the appsettings.json copied beside the tests says Information
        foreach (var (key, value) in store.Settings.Select(s => (s.Key, s.Value)).Concat(settings))
        {
            builder.Configuration[key] = value;
        }
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.AddEquipInfrastructure();
        var host = builder.Build();
        await host.StartAsync();
        return new StoreHost(host, time);
    }

    /// Whether the events after the revision were pruned (reading them is refused).
    public async Task<bool> IsCompactedAsync(long after)
    {
        try
        {
            await Dataspace.ReadChangesAsync(after, 1);
            return false;
        }
        catch (ChangeLogCompactedException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
