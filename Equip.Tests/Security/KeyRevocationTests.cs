using System.Net;
using Equip.Client;
using Equip.Protocol;
using Equip.Tests.Support;

namespace Equip.Tests.Security;

/// A revoked key stops working at once: on REST, for new hub connections, and for the hub
/// connections already open with it, which are closed with key-revoked.
public sealed class KeyRevocationTests : SecurityServer
{
    [Fact]
    public async Task ARevokedKeyIsRefusedAtOnceAndItsOpenConnectionIsClosed()
    {
        var (id, key) = await MakeKeyAsync("to revoke");
        var (other, otherKey) = await MakeKeyAsync("to keep");
        using var rest = Server.NewClient(key);
        Assert.Equal(HttpStatusCode.OK, (await rest.GetAsync("/api/items")).StatusCode);
        var (hub, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a", key: key);
        await using var _ = hub;
        var (kept, _) = await HubClient.RegisterAsync(Server.Address, "lamp-2", "inc-a", key: otherKey);
        await using var __ = kept;
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Connection.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };

        await RevokeAsync(id);

        var reason = await closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(HubErrors.KeyRevoked, HubErrors.CodeOf(reason?.Message));
        Assert.Equal(HttpStatusCode.Unauthorized, (await rest.GetAsync("/api/items")).StatusCode);
        var again = await Assert.ThrowsAsync<HttpRequestException>(() => HubClient.ConnectAsync(Server.Address, key: key));
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        // The other key's connection is untouched.
        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected, kept.Connection.State);
        Assert.NotNull(await kept.InvokeAsync<WireItem>(HubNames.Add, Devices.Thing("still here")));
        Assert.NotEqual(Guid.Empty, other);
    }

    [Fact]
    public async Task EquipClientStopsForGoodWhenItsKeyIsRevoked()
    {
        var (id, key) = await MakeKeyAsync("device");
        await using var device = new EquipClient(new EquipClientOptions
        {
            Server = Server.Address,
            Key = key,
            PeerId = "lamp-1",
            InitialReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        });
        var unauthorized = new TaskCompletionSource<EquipConnectionChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        device.StateChanged += change =>
        {
            if (change.State == EquipConnectionState.Unauthorized)
            {
                unauthorized.TrySetResult(change);
            }
        };
        device.Start();
        await device.AddAsync(Devices.Thing("before")).WaitAsync(Wait.Timeout);

        await RevokeAsync(id);

        var change = await unauthorized.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.IsType<EquipUnauthorizedException>(change.Error);
        await Assert.ThrowsAsync<EquipUnauthorizedException>(() => device.AddAsync(Devices.Thing("after")).WaitAsync(Wait.Timeout));
    }

    [Fact]
    public async Task EquipClientWithAKeyBoundToOtherPeersStopsAtRegister()
    {
        var (_, key) = await MakeKeyAsync("lamp one", peerIds: ["lamp-1"]);
        await using var device = new EquipClient(new EquipClientOptions { Server = Server.Address, Key = key, PeerId = "lamp-2" });
        var stopped = new TaskCompletionSource<EquipConnectionChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        device.StateChanged += change =>
        {
            if (change.State == EquipConnectionState.Unauthorized)
            {
                stopped.TrySetResult(change);
            }
        };
        device.Start();

        var change = await stopped.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains(HubErrors.Forbidden, change.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EquipClientWithAWrongKeyStopsInsteadOfRetryingForever()
    {
        await using var device = new EquipClient(new EquipClientOptions { Server = Server.Address, Key = "eqd_not-a-key-the-server-made", PeerId = "lamp-9" });
        var unauthorized = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        device.StateChanged += change =>
        {
            if (change.State == EquipConnectionState.Unauthorized)
            {
                unauthorized.TrySetResult();
            }
        };
        device.Start();
        await unauthorized.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
