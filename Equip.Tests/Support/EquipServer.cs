using Equip.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Equip.Tests.Support;

/// The whole server in-process on a real Kestrel listening on a free loopback port.
public sealed class EquipServer : WebApplicationFactory<Program>
{
    private readonly TestStore _store;

    public EquipServer(TestStore store, FakeTimeProvider? time = null)
    {
        _store = store;
        Time = time;
        UseKestrel(0);
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address.Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1"));
    }

    public Uri Address { get; }

    /// The loopback port of the server's MQTT broker (TCP), as it bound it.
    public int MqttPort => Services.GetRequiredService<MQTTnet.Server.MqttServerOptions>().DefaultEndpointOptions.Port;

    public FakeTimeProvider? Time { get; }

    /// Warnings and errors the server logged.
    public LogCapture Logs { get; } = new();

    /// A client that sends the admin key.
    public HttpClient NewClient() => NewClient(TestKeys.Admin);

    /// A client that sends the given key, or none.
    public HttpClient NewClient(string? key)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = Wait.Timeout };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        }
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("Equip:Mqtt:Port", "0"); // any free port: the broker binds it, then says which
        // Start-up and lifecycle lines of hundreds of servers would bury the test results in CI's output.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        foreach (var (key, value) in _store.Settings)
        {
            builder.UseSetting(key, value);
        }
        if (Time is not null)
        {
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Time));
        }
    }
}
