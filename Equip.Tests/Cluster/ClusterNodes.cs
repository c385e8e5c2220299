using Equip.Testing;
using Equip.Tests.Support;

namespace Equip.Tests.Cluster;

/// The nodes of a test cluster (docs/scaling.md): a PostgreSQL store with clustering on and quick
/// timings (a 2 s lock timeout), a node that leads, a node that stands by.
internal static class ClusterNodes
{
    public static async Task<TestStore> StoreAsync(PostgresFixture postgres) =>
        (await TestStore.PostgresAsync(postgres))
            .With("Equip:Cluster:Enabled", "true")
            .With("Equip:Cluster:LockTimeout", "00:00:02")
            .With("Equip:Cluster:StandbyPoll", "00:00:00.100");

    /// The first node: it takes the lock, and answers once it leads.
    public static Task<ServerProcess> LeaderAsync(TestStore store, string nodeId) =>
        ServerProcess.StartAsync(store.With("Equip:Cluster:NodeId", nodeId).Settings, store.DataDirectory);

    /// A further node, once it says it stands by (it does not listen until it leads).
    public static async Task<ServerProcess> StandbyAsync(TestStore store, string nodeId)
    {
        var standby = ServerProcess.Launch(store.With("Equip:Cluster:NodeId", nodeId).Settings, store.Settings["Equip:DataDirectory"]);
        await standby.WaitForOutputAsync("stands by").WaitAsync(Wait.Timeout);
        return standby;
    }
}
