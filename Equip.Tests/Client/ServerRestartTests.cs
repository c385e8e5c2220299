using Equip.Client;
using Equip.Protocol;
using Equip.Testing;
using Equip.Tests.Support;
using static Equip.Tests.Support.Devices;

namespace Equip.Tests.Client;

/// The server as its own process is killed with SIGKILL and started again on the same store; the
/// devices, which reach it through a proxy that keeps their address, come back by themselves.
public abstract class ServerRestartTests
{
    protected abstract Task<TestStore> CreateStoreAsync();

    [Fact]
    public async Task AfterAKillDashNineAndRestartDevicesReconnectTheirItemsStayAndReplicasCatchUp()
    {
        using var store = (await CreateStoreAsync()).With("Equip:Peers:DisconnectGrace", "00:00:30");
        var server = await ServerProcess.StartAsync(store.Settings, store.DataDirectory);
        await using var proxy = new FaultProxy(server.Address.Port);
        await using var device = Start(proxy.Address, "lamp-1");
        await using var other = Start(proxy.Address, "switch-1");
        var bound = await device.AddAsync(Thing("bound", processBound: true));
        var persistent = await device.AddAsync(Thing("persistent"));
        var replica = device.Subscribe(new WirePattern { Type = "demo.*" });
        await replica.Settled(r => r.Items.Count == 2);
        var reconnections = 0;
        device.StateChanged += change => { if (change.State == EquipConnectionState.Connected) { Interlocked.Increment(ref reconnections); } };

        await server.KillAsync();
        await server.DisposeAsync();
        var queued = device.UpdateAsync(new UpdateRequest { Id = persistent.Id, Fields = Fields("changed while down") });
        await using var restarted = await ServerProcess.StartAsync(store.Settings, store.DataDirectory);
        proxy.TargetPort = restarted.Address.Port;
        var fromOther = await other.AddAsync(Thing("from other")).WaitAsync(Wait.Timeout);

        await queued.WaitAsync(Wait.Timeout);
        await replica.Settled(r => r.Get(fromOther.Id) is not null && r.Get(persistent.Id) is { } p && NameOf(p) == "changed while down");
        await device.WaitUntilConnectedAsync().WaitAsync(Wait.Timeout);
        Assert.NotNull(await device.GetAsync(bound.Id));
        Assert.True(reconnections >= 1);
        Assert.Equal(3, replica.Items.Count);
    }
}

public sealed class SqliteServerRestartTests : ServerRestartTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresServerRestartTests(PostgresFixture postgres) : ServerRestartTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync(postgres);
}
