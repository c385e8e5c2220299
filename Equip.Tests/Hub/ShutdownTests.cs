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
}
