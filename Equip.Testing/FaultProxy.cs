using System.Net;
using System.Net.Sockets;

namespace Equip.Testing;

/// A TCP proxy on a loopback port that can cut the connections passing through it, the way a
/// network fails: Reset closes them with RST and refuses new ones; Blackhole stops every byte
/// (nothing is closed, as with a pulled cable) until Restore lets the held bytes through again.
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(Socket Client, Socket Server)> _links = [];
    private readonly Task _accepting;
    private TaskCompletionSource _flowing = Open();
    private bool _refusing;

    public FaultProxy(int? targetPort = null)
    {
        TargetPort = targetPort;
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Address => new($"http://127.0.0.1:{Port}/");

    /// Where connections go; while null, they are refused.
    public int? TargetPort { get; set; }

    public void Reset()
    {
        lock (_links)
        {
            _refusing = true;
            foreach (var (client, server) in _links)
            {
                Abort(client);
                Abort(server);
            }
            _links.Clear();
        }
    }

    public void Blackhole()
    {
        lock (_links)
        {
            if (_flowing.Task.IsCompleted)
            {
                _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void Restore()
    {
        lock (_links)
        {
            _refusing = false;
            _flowing.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Reset();
        Restore();
        try
        {
            await _accepting;
        }
        catch (Exception)
        {
            // The listener was stopped under the accept loop.
        }
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            _ = Task.Run(() => LinkAsync(client));
        }
    }

    private async Task LinkAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (_refusing || TargetPort is not { } port)
            {
                throw new SocketException((int)SocketError.ConnectionRefused);
            }
            await server.ConnectAsync(IPAddress.Loopback, port, _stop.Token);
            lock (_links)
            {
                if (_refusing)
                {
                    throw new SocketException((int)SocketError.ConnectionRefused);
                }
                _links.Add((client, server));
            }
        }
        catch (Exception)
        {
            Abort(client);
            Abort(server);
            return;
        }
        await Task.WhenAll(PumpAsync(client, server), PumpAsync(server, client));
        lock (_links)
        {
            _links.Remove((client, server));
        }
        Abort(client);
        Abort(server);
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                // Nothing passes a blackhole, not even the end of the stream.
                await _flowing.Task.WaitAsync(_stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception)
        {
            // A reset from one side reaches the other only when the network carries it.
            try
            {
                await _flowing.Task.WaitAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
            Abort(from);
            Abort(to);
        }
    }

    private static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0); // close with RST, as a reset network does
            socket.Close();
        }
        catch (Exception)
        {
            // Already closed.
        }
    }
}
