using System.Diagnostics;
using System.Text;

namespace Equip.Testing;

/// The device simulator (Equip.Device) run as a separate process from its built dll.
public sealed class DeviceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(long At, string Line)> _lines = [];
    private readonly List<(string Text, TaskCompletionSource Seen)> _awaited = [];

    private DeviceProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// Everything it wrote to stdout and stderr so far.
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

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// Starts `Equip.Device --server SERVER --container CONTAINERID` with further arguments.
    public static DeviceProcess Start(Uri server, string containerId, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [BuiltProjects.Dll("Equip.Device"), "--server", server.ToString(), "--container", containerId, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return new DeviceProcess(Process.Start(start)!);
    }

    /// Completes once the output holds the text (already or later).
    public Task WaitForOutputAsync(string text)
    {
        lock (_output)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _awaited.Add((text, seen));
            return seen.Task;
        }
    }

    /// When (a Stopwatch timestamp) the last line holding the text was read; null if none was.
    public long? LastSeen(string text)
    {
        lock (_output)
        {
            for (var i = _lines.Count - 1; i >= 0; i--)
            {
                if (_lines[i].Line.Contains(text, StringComparison.Ordinal))
                {
                    return _lines[i].At;
                }
            }
            return null;
        }
    }

    /// SIGTERM, as a service manager stops it; completes when it has exited.
    public async Task TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }
        await _process.WaitForExitAsync();
    }

    /// kill -9; the output stays readable.
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

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
            _lines.Add((Stopwatch.GetTimestamp(), line));
            if (_awaited.Count == 0)
            {
                return;
            }
            var text = _output.ToString();
            foreach (var awaited in _awaited.Where(a => text.Contains(a.Text, StringComparison.Ordinal)).ToList())
            {
                awaited.Seen.TrySetResult();
                _awaited.Remove(awaited);
            }
        }
    }
}
