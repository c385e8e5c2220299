using System.Diagnostics;
using System.Net.Sockets;
using Equip.Testing;

namespace Equip.Bench.Compare;

/// Debian's Mosquitto, started by the bench on a free loopback port with a configuration of its
/// own (anonymous, no persistence), so that its processor time and memory can be read.
internal sealed class MosquittoBroker : ChildProcess
{
    private MosquittoBroker(ProcessStartInfo start, int port)
        : base(start)
    {
        Port = port;
    }

    public int Port { get; }

    public static async Task<MosquittoBroker> StartAsync(BenchStores stores)
    {
        var executable = await FindAsync();
        var directory = stores.NewDirectory();
        var port = PrivatePostgres.FreePort();
        var configuration = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(configuration, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\n");
        var broker = new MosquittoBroker(new ProcessStartInfo(executable, ["-c", configuration]) { WorkingDirectory = directory }, port);
        var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return broker;
            }
            catch (SocketException) when (Stopwatch.GetTimestamp() < deadline && !broker.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    /// /usr/sbin/mosquitto, installed from Debian's package when missing and running as root.
    private static async Task<string> FindAsync()
    {
        const string executable = "/usr/sbin/mosquitto";
        if (!File.Exists(executable) && Environment.UserName == "root")
        {
            Report.Progress("installing mosquitto (apt-get install mosquitto)");
            // A fresh machine's package lists may be empty: read them once, then try again.
            if (await AptGetAsync("install", "-y", "-q", "mosquitto") != 0 && await AptGetAsync("update", "-q") == 0)
            {
                await AptGetAsync("install", "-y", "-q", "mosquitto");
            }
        }
        return File.Exists(executable)
            ? executable
            : throw new InvalidOperationException("Mosquitto is not installed: apt-get install mosquitto (Debian), or run the bench without --compare.");
    }

    private static async Task<int> AptGetAsync(params string[] arguments)
    {
        using var apt = Process.Start(new ProcessStartInfo("apt-get", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await Task.WhenAll(apt.StandardOutput.ReadToEndAsync(), apt.StandardError.ReadToEndAsync(), apt.WaitForExitAsync());
        return apt.ExitCode;
    }
}
