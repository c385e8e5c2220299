using System.Threading.Channels;
using Equip.Protocol;
using Equip.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Equip.Tests.Support;

public enum WireProtocol
{
    Json,
    MessagePack,
}

/// A raw SignalR connection to the hub, recording every Snapshot and Changes message it receives.
public sealed class HubClient : IAsyncDisposable
{
    private readonly Channel<object> _received = Channel.CreateUnbounded<object>();

    private HubClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<SnapshotMessage>(HubNames.Snapshot, m => _received.Writer.TryWrite(m));
        connection.On<ChangesMessage>(HubNames.Changes, m => _received.Writer.TryWrite(m));
    }

    public HubConnection Connection { get; }

    public static async Task<HubClient> ConnectAsync(Uri server, WireProtocol protocol = WireProtocol.Json, string? key = TestKeys.Admin)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(server, HubNames.Path), o => o.AccessTokenProvider = () => Task.FromResult(key));
        if (protocol == WireProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol(o => o.SerializerOptions = EquipMessagePack.Options);
        }
        var client = new HubClient(builder.Build());
        await client.Connection.StartAsync().WaitAsync(Wait.Timeout);
        return client;
    }

    public static async Task<(HubClient Client, RegisterResponse Registration)> RegisterAsync(
        Uri server, string peerId, string incarnation, WireProtocol protocol = WireProtocol.Json, string? key = TestKeys.Admin)
    {
        var client = await ConnectAsync(server, protocol, key);
        var registration = await client.InvokeAsync<RegisterResponse>("Register", new RegisterRequest { PeerId = peerId, Incarnation = incarnation, Name = peerId });
        return (client, registration);
    }

    public Task<T> InvokeAsync<T>(string method) =>
        Connection.InvokeAsync<T>(method).WaitAsync(Wait.Timeout);

    public Task<T> InvokeAsync<T>(string method, object? argument) =>
        Connection.InvokeAsync<T>(method, argument).WaitAsync(Wait.Timeout);

    public Task InvokeAsync(string method, object? argument) =>
        Connection.InvokeAsync(method, argument).WaitAsync(Wait.Timeout);

    /// The next Snapshot or Changes message.
    public async Task<object> ReceiveAsync() => await _received.Reader.ReadAsync().AsTask().WaitAsync(Wait.Timeout);

    public async Task<T> ReceiveAsync<T>() => Assert.IsType<T>(await ReceiveAsync());

    public bool TryReceive(out object? message) => _received.Reader.TryRead(out message);

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
