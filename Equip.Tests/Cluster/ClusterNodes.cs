using Equip.Testing;
using Equip.Tests.Support;

namespace Equip.Tests.Cluster;

/// The nodes of a test cluster (docs/scaling.md): a PostgreSQL store with clustering on and quick
/// timings (a 2 s lock timeout), a node that leads, a node that stands by, a node that follows
/// (the leader then advertises its address, Equip:Cluster:AdvertisedUrl).
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

    /// The store as another machine sees it: the same database, a data directory of its own.
    public static TestStore OwnDirectory(TestStore store) =>
        store.With("Equip:DataDirectory", Directory.CreateTempSubdirectory("equip-node-").FullName);

    /// The first node, advertising its address so that the others follow it.
    /// (Ports given: a node started again where it was, as its supervisor would.)
    public static Task<ServerProcess> AdvertisedLeaderAsync(TestStore store, string nodeId, int? port = null, int? mqttPort = null) =>
        AdvertisedAsync(store, nodeId, port, mqttPort);

    /// A further node, once it follows the leader and serves (it has caught up with the stream).
    public static Task<ServerProcess> FollowerAsync(TestStore store, string nodeId, int? port = null, int? mqttPort = null) =>
        AdvertisedAsync(store, nodeId, port, mqttPort);

    private static async Task<ServerProcess> AdvertisedAsync(TestStore store, string nodeId, int? port, int? mqttPort)
    {
        var http = port ?? Testing.PrivatePostgres.FreePort();
        var settings = store.With("Equip:Cluster:NodeId", nodeId).With("Equip:Cluster:AdvertisedUrl", $"http://127.0.0.1:{http}").Settings;
        return await ServerProcess.StartAsync(settings, store.Settings["Equip:DataDirectory"], port: http, mqttPort: mqttPort);
    }

    /// A further node, once it says it stands by (it does not listen until it leads).
    public static async Task<ServerProcess> StandbyAsync(TestStore store, string nodeId)
    {
        var standby = ServerProcess.Launch(store.With("Equip:Cluster:NodeId", nodeId).Settings, store.Settings["Equip:DataDirectory"]);
        await standby.WaitForOutputAsync("stands by").WaitAsync(Wait.Timeout);
        return standby;
    }
}
