using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Equip.Testing;

/// A throw-away PostgreSQL cluster on a free loopback port, in a temporary directory. As root it
/// runs as the 'postgres' user, since initdb refuses root.
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _binaries;

    private PrivatePostgres(string directory, string binaries, int port)
    {
        _directory = directory;
        _binaries = binaries;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=100";

    public static async Task<PrivatePostgres> StartAsync(bool fsync = true)
    {
        var binaries = FindBinaries();
        var directory = Directory.CreateTempSubdirectory("equip-pg-").FullName;
        var cluster = new PrivatePostgres(directory, binaries, FreePort());
        try
        {
            if (IsRoot)
            {
                await RunAsync("chown", $"postgres:postgres {directory}");
            }
            await cluster.RunAsPostgresAsync("initdb", $"-D {directory}/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync");
            var settings = $"-c listen_addresses=127.0.0.1 -p {cluster.Port} -k {directory} -c max_connections=300 -c fsync={(fsync ? "on" : "off")}";
            await cluster.RunAsPostgresAsync("pg_ctl", $"-D {directory}/data -l {directory}/log -w -t 60 -o \"{settings}\" start");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// Stops the server as a crash would (immediate: no checkpoint, every connection cut) and starts
    /// it again on the same port, recovering from its write-ahead log.
    public async Task RestartAsync() =>
        await RunAsPostgresAsync("pg_ctl", $"-D {_directory}/data -m immediate -w -t 60 restart");

    public async Task CreateDatabaseAsync(string name) =>
        await RunAsPostgresAsync("createdb", $"-h 127.0.0.1 -p {Port} -U postgres {name}");

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(_directory, "data", "postmaster.pid")))
            {
                await RunAsPostgresAsync("pg_ctl", $"-D {_directory}/data -m immediate -w -t 30 stop");
            }
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task RunAsPostgresAsync(string tool, string arguments) => IsRoot
        ? RunAsync("runuser", $"-u postgres -- {Path.Combine(_binaries, tool)} {arguments}")
        : RunAsync(Path.Combine(_binaries, tool), arguments);

    private static async Task RunAsync(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}: {await output} {await error}");
        }
    }

    private static string FindBinaries()
    {
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
            : [];
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        string[] tools = ["initdb", "pg_ctl", "createdb"];
        return installed.Concat(onPath).FirstOrDefault(d => tools.All(t => File.Exists(Path.Combine(d, t))))
            ?? throw new InvalidOperationException("PostgreSQL binaries (initdb, pg_ctl) were not found; scripts/test.sh installs them (apt-get install postgresql).");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
