using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Testing;
using Equip.Tests.Support;

namespace Equip.Tests.Cluster;

/// PostgreSQL itself restarted (a crash: immediate stop, recovery from its log) under a steady
/// load of durable writes through both nodes of a cluster (docs/scaling.md), the nodes run under a
/// supervisor: every node loses its lock or its leader and restarts, the cluster serves again
/// once PostgreSQL is back, and every write acknowledged before, during or after is stored.
public sealed class PostgresRestartTests : IAsyncLifetime
{
    private readonly PostgresFixture _postgres = new(); // a cluster of its own: this test restarts it

    public Task InitializeAsync() => _postgres.InitializeAsync();

    public Task DisposeAsync() => _postgres.DisposeAsync();

    [Fact]
    public async Task PostgresRestartedUnderLoadLosesNoAcknowledgedWriteAndTheClusterServesAgain()
    {
        using var store = await ClusterNodes.StoreAsync(_postgres);
        await using var nodeA = Supervised.Start(store, "node-a");
        await nodeA.Current.WaitUntilHealthyAsync(Wait.Timeout);
        await using var nodeB = Supervised.Start(ClusterNodes.OwnDirectory(store), "node-b");
        await nodeB.Current.WaitUntilHealthyAsync(Wait.Timeout);
        Assert.Contains("follows the leader node-a", nodeB.Current.Output);

        var acknowledged = new ConcurrentQueue<Guid>();
        using var stop = new CancellationTokenSource();
        var load = Task.WhenAll(WriteAsync(nodeA, acknowledged, stop.Token), WriteAsync(nodeB, acknowledged, stop.Token));
        await Wait.UntilAsync(() => Task.FromResult(acknowledged.Count >= 20), "writes acknowledged before the restart");

        await _postgres.Cluster.RestartAsync();
        var before = acknowledged.Count;
        await Wait.UntilAsync(() => Task.FromResult(acknowledged.Count >= before + 20), "writes acknowledged again after PostgreSQL restarted");
        await stop.CancelAsync();
        await load;

        // The nodes notice (the leader's lock went with its session): they restart. The writes above
        // may all have been acknowledged before the leader's next confirmation of its lock; that is
        // safe, as no other node has started a term yet.
        await Wait.UntilAsync(() => Task.FromResult(nodeA.ExitCodes.Concat(nodeB.ExitCodes).Any()), "a node restarted after PostgreSQL did");
        var leader = await LeaderAsync(nodeA, nodeB);
        using var rest = TestHttp.Client(leader.Address, Wait.Timeout);
        foreach (var id in acknowledged)
        {
            Assert.Equal(HttpStatusCode.OK, (await rest.GetAsync($"/api/items/{id}")).StatusCode);
        }
        var cluster = await rest.GetFromJsonAsync<JsonElement>("/api/cluster");
        Assert.True(cluster.GetProperty("term").GetInt64() >= 2, "a new term after the restart");
    }

    /// Durable writes through the node, one after another, for as long as the load runs; each one
    /// acknowledged (201) is recorded. Refusals and lost connections while the cluster recovers
    /// are expected and retried.
    private static async Task WriteAsync(Supervised node, ConcurrentQueue<Guid> acknowledged, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var id = Guid.NewGuid();
            if (await ClusterWrites.TryAsync(node.Current.Address, id, "cluster.Load", stop))
            {
                acknowledged.Enqueue(id);
            }
            else if (!stop.IsCancellationRequested)
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }

    private static async Task<ServerProcess> LeaderAsync(params Supervised[] nodes)
    {
        ServerProcess? leader = null;
        await Wait.UntilAsync(async () =>
        {
            foreach (var node in nodes)
            {
                try
                {
                    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
                    if ((await http.GetAsync(new Uri(node.Current.Address, "/health/leader"))).StatusCode == HttpStatusCode.OK)
                    {
                        leader = node.Current;
                        return true;
                    }
                }
                catch (Exception unreachable) when (unreachable is HttpRequestException or TaskCanceledException)
                {
                }
            }
            return false;
        }, "a node leading");
        return leader!;
    }
}
