using System.Diagnostics;
using System.Text;

namespace Equip.Testing;

/// The Equip server run as a separate process from its built Equip.Web.dll, so that a test can
/// kill -9 it and start it again on the same store.
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// Starts the server with the given settings (configuration keys such as Equip:Database:Provider)
    /// on a free loopback port, and returns once /health answers 200.
    public static async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string> settings, string workingDirectory, TimeSpan? timeout = null)
    {
        var port = PrivatePostgres.FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet", [ServerDll(), "--urls", address.ToString().TrimEnd('/')])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__")] = value;
        }
        var server = new ServerProcess(Process.Start(start)!, address);
        await server.WaitUntilHealthyAsync(timeout ?? TimeSpan.FromSeconds(60));
        return server;
    }

    /// kill -9: no shutdown, no flush, nothing the server could still do.
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{Output}");
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

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// Equip.Web.dll as built beside this assembly's solution, in the same configuration.
    public static string ServerDll() => BuiltProjects.Dll("Equip.Web");
}
