using System.Diagnostics;
using Equip.Protocol;
using Equip.Testing;
using Equip.Tests.Support;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Equip.Tests.Hub;

/// SIGTERM closes every hub connection first, saying `stopping` and allowing a reconnect, so an
/// open WebSocket does not hold the shutdown until the host's timeout (30 s).
public sealed class ShutdownTests
{
    [Fact]
    public async Task ASigtermClosesTheDevicesConnectionsWithStoppingAndTheServerExitsPromptly()
    {
        using var store = TestStore.Sqlite();
        await using var server = await ServerProcess.StartAsync(store.Settings, store.DataDirectory);
        var closed = new List<TaskCompletionSource<string>>();
        var connections = new List<HubConnection>();
        for (var i = 0; i < 3; i++)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(server.Address, HubNames.Path), o =>
                {
                    o.SkipNegotiation = true;
                    o.Transports = HttpTransportType.WebSockets;
                    o.AccessTokenProvider = () => Task.FromResult<string?>(TestKeys.Admin);
                })
                .Build();
            var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.Closed += error =>
            {
                done.TrySetResult(error?.Message ?? "closed without an error");
                return Task.CompletedTask;
            };
            await connection.StartAsync();
            await connection.InvokeAsync<RegisterResponse>(HubNames.Register, new RegisterRequest { PeerId = $"device-{i}", Incarnation = Guid.NewGuid().ToString(), Name = "device" });
            closed.Add(done);
            connections.Add(connection);
        }

        var stopping = Stopwatch.GetTimestamp();
        await server.TerminateAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var took = Stopwatch.GetElapsedTime(stopping);

        Assert.InRange(took.TotalSeconds, 0, 10);
        foreach (var done in closed)
        {
            Assert.Contains(HubErrors.Stopping, await done.Task.WaitAsync(Wait.Timeout));
        }
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }

    /// Devices told `stopping` come straight back; a stopping server answers them 503 instead of
    /// letting them in again (a connection let in then would hold the shutdown until the host's
    /// timeout), and they keep trying until the next instance answers.
    [Fact]
    public async Task DevicesThatComeStraightBackWhileTheServerStopsAreRefusedAndTheServerExitsPromptly()
    {
        using var store = TestStore.Sqlite();
        await using var server = await ServerProcess.StartAsync(store.Settings, store.DataDirectory);
        var devices = Enumerable.Range(0, 30).Select(i => new Equip.Client.EquipClient(new Equip.Client.EquipClientOptions
        {
            Server = server.Address,
            PeerId = $"eager-{i}",
            Key = TestKeys.Admin,
            InitialReconnectDelay = TimeSpan.FromMilliseconds(5),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(20),
        })).ToList();
        var refusals = 0;
        foreach (var device in devices)
        {
            device.StateChanged += change =>
            {
                if (change.Error is System.Net.Http.HttpRequestException { StatusCode: System.Net.HttpStatusCode.ServiceUnavailable })
                {
                    Interlocked.Increment(ref refusals);
                }
            };
            device.Start();
        }
        await Task.WhenAll(devices.Select(d => d.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout)));
        // A connection that ignores the Close holds the server in its stopping stretch for the
        // whole close grace (2 s), so the devices' coming back falls inside it however quickly
        // the others close (without it, a fast stop could end before any device came back).
        await using var lingering = await Equip.Tests.Conformance.WireHub.ConnectAsync(server.Address, Equip.Tests.Conformance.WireFormat.Json);

        var stopping = Stopwatch.GetTimestamp();
        await server.TerminateAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var took = Stopwatch.GetElapsedTime(stopping);

        Assert.InRange(took.TotalSeconds, 0, 10);
        Assert.True(Volatile.Read(ref refusals) > 0, "no device was answered 503 while the server stopped");
        await Task.WhenAll(devices.Select(d => d.DisposeAsync().AsTask()));
    }
}
