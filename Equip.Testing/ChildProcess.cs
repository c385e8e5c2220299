using System.Diagnostics;
using System.Text;

namespace Equip.Testing;

/// A program of the solution run as its own process, its stdout and stderr captured line by line
/// (with the moment each was read), so that a test can wait for what it says and kill -9 it.
public abstract class ChildProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly List<(long At, string Line)> _lines = [];
    private readonly List<(string Text, TaskCompletionSource Seen)> _awaited = [];

    protected ChildProcess(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        Process = Process.Start(start)!;
        Process.OutputDataReceived += (_, e) => Append(e.Data);
        Process.ErrorDataReceived += (_, e) => Append(e.Data);
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
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

    public bool HasExited => Process.HasExited;

    public int ExitCode => Process.ExitCode;

    protected Process Process { get; }

    /// The processor time the process has used so far (user and system), for benchmarks.
    public TimeSpan ProcessorTime
    {
        get
        {
            Process.Refresh();
            return Process.TotalProcessorTime;
        }
    }

    /// The memory the process holds (resident set), for benchmarks.
    public long ResidentBytes
    {
        get
        {
            Process.Refresh();
            return Process.WorkingSet64;
        }
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

    /// kill -9: no shutdown, no flush, nothing the process could still do. The output stays readable.
    public async Task KillAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }
        await Process.WaitForExitAsync();
    }

    /// Sends a signal by name (STOP, CONT, ...), as `kill -NAME` does.
    public async Task SignalAsync(string name)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{name}", Process.Id.ToString()])!;
        await kill.WaitForExitAsync();
    }

    /// Waits until it has exited by itself, at most the given time.
    public Task WaitForExitAsync(TimeSpan within) => Process.WaitForExitAsync().WaitAsync(within);

    /// SIGTERM, as a service manager stops it; completes when it has exited.
    public async Task TerminateAsync()
    {
        if (!Process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", Process.Id.ToString()])!;
            await kill.WaitForExitAsync();
        }
        await Process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Process.Dispose();
        GC.SuppressFinalize(this);
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
