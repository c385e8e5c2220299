using System.Diagnostics;

namespace Equip.Testing;

/// The Equip server run as a separate process from its built Equip.Web.dll, so that a test can
/// kill -9 it and start it again on the same store.
public sealed class ServerProcess : ChildProcess
{
    private ServerProcess(ProcessStartInfo start, Uri address, int mqttPort)
        : base(start)
    {
        Address = address;
        MqttPort = mqttPort;
    }

    public Uri Address { get; }

    /// The loopback port of the server's MQTT broker (TCP).
    public int MqttPort { get; }

    /// Starts the server with the given settings (configuration keys such as Equip:Database:Provider)
    /// on a loopback port (a free one unless given), its MQTT broker on another (Equip:Mqtt:Port
    /// when the settings give it, else mqttPort, else a free one), and returns once /health
    /// answers 200. A free port can be taken between the moment it is found and the server's bind
    /// (by another test's server, or as the local port of a connection): the server then exits
    /// with "address already in use", and is started again on other free ports.
    public static async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string> settings, string workingDirectory, TimeSpan? timeout = null, int? port = null, int? mqttPort = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = Launch(settings, workingDirectory, port, mqttPort);
            try
            {
                await server.WaitUntilHealthyAsync(timeout ?? TimeSpan.FromSeconds(60));
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && (port is null || GivenMqttPort(settings, mqttPort) is null) && server.Output.Contains("already in use", StringComparison.OrdinalIgnoreCase))
            {
                await server.DisposeAsync();
            }
        }
    }

    /// Starts the server without waiting for it to answer (a cluster's standby node does not
    /// listen until it leads), on the given loopback ports (Equip:Mqtt:Port when the settings give
    /// it) or free ones.
    public static ServerProcess Launch(IReadOnlyDictionary<string, string> settings, string workingDirectory, int? port = null, int? mqttPort = null)
    {
        var address = new Uri($"http://127.0.0.1:{port ?? PrivatePostgres.FreePort()}");
        var mqtt = GivenMqttPort(settings, mqttPort) ?? PrivatePostgres.FreePort();
        var start = new ProcessStartInfo("dotnet", [ServerDll(), "--urls", address.ToString().TrimEnd('/')]) { WorkingDirectory = workingDirectory };
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__")] = value;
        }
        start.Environment["Equip__Mqtt__Port"] = mqtt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ServerProcess(start, address, mqtt);
    }

    private static int? GivenMqttPort(IReadOnlyDictionary<string, string> settings, int? mqttPort) =>
        settings.TryGetValue("Equip:Mqtt:Port", out var given) ? int.Parse(given, System.Globalization.CultureInfo.InvariantCulture) : mqttPort;

    /// Returns once /health answers 200; throws if the process exits first or the time passes.
    public async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {Process.ExitCode}:\n{Output}");
            }
            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        await KillAsync();
        throw new TimeoutException($"The server did not become healthy within {timeout}:\n{Output}");
    }

    /// Equip.Web.dll as built beside this assembly's solution, in the same configuration.
    public static string ServerDll() => BuiltProjects.Dll("Equip.Web");
}
