using Equip.Testing;

namespace Equip.Tests.Cluster;

/// The shipped deploy/haproxy.cfg, run by Debian's haproxy in front of two nodes, with their
/// loopback addresses put in for the compose file's names (docs/scaling.md).
internal sealed class Balancer : IAsyncDisposable
{
    private Balancer(ScriptProcess haproxy, Uri http, int mqttPort)
    {
        Process = haproxy;
        Http = http;
        MqttPort = mqttPort;
    }

    public ScriptProcess Process { get; }

    /// Where HTTP goes in: the dashboard, REST, the device hub.
    public Uri Http { get; }

    public int MqttPort { get; }

    public static Balancer Start(ServerProcess nodeA, ServerProcess nodeB, string directory)
    {
        int http = PrivatePostgres.FreePort(), mqtt = PrivatePostgres.FreePort();
        var configuration = File.ReadAllText(Path.Combine(BuiltProjects.Root(), "deploy", "haproxy.cfg"))
            .Replace("bind :8080", $"bind 127.0.0.1:{http}").Replace("bind :1883", $"bind 127.0.0.1:{mqtt}")
            .Replace("node-a:1883 check port 8080", $"127.0.0.1:{nodeA.MqttPort} check port {nodeA.Address.Port}")
            .Replace("node-b:1883 check port 8080", $"127.0.0.1:{nodeB.MqttPort} check port {nodeB.Address.Port}")
            .Replace("node-a:8080", $"127.0.0.1:{nodeA.Address.Port}").Replace("node-b:8080", $"127.0.0.1:{nodeB.Address.Port}");
        Assert.DoesNotContain("8080", configuration);
        var file = Path.Combine(directory, $"haproxy-{http}.cfg");
        File.WriteAllText(file, configuration);
        return new Balancer(ScriptProcess.Start("/usr/sbin/haproxy", "-f", file, "-db"), new Uri($"http://127.0.0.1:{http}"), mqtt);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
