using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Testing;
using Equip.Tests.Mqtt;
using Equip.Tests.Support;

namespace Equip.Tests.Cluster;

/// The shipped deploy/haproxy.cfg (docs/scaling.md), run by Debian's haproxy in front of two nodes
/// with their addresses put in, a leader and a follower: REST reaches a node through it, MQTT the
/// leader; the leader killed -9, the follower takes over (started again where it was, as its
/// supervisor would) and both reach it through the same addresses, with what was written before.
[Collection(PostgresCollection.Name)]
public sealed class LoadBalancerTests(PostgresFixture postgres)
{
    [Fact]
    public async Task TheDocumentedHaproxyReachesTheNodesAndMqttTheLeader()
    {
        using var store = await ClusterNodes.StoreAsync(postgres);
        await using var nodeA = await ClusterNodes.AdvertisedLeaderAsync(store, "node-a");
        var storeB = ClusterNodes.OwnDirectory(store);
        var nodeB = await ClusterNodes.FollowerAsync(storeB, "node-b");
        await using var balancer = Balancer.Start(nodeA, nodeB, store.DataDirectory);
        var haproxy = balancer.Process;
        var mqtt = balancer.MqttPort;
        using var client = TestHttp.Client(balancer.Http, TimeSpan.FromSeconds(5));

        var before = await ClusterWrites.UntilAcknowledgedAsync(() => balancer.Http, "cluster.Probe", () => $"haproxy said: {haproxy.Output}");
        await using (var sensor = await ConnectThroughAsync(mqtt, "sensor-lb"))
        {
            Assert.True((await sensor.PublishAsync("lb/before", "1", retain: true)).IsSuccess);
        }

        using (var direct = TestHttp.Client(nodeB.Address, Wait.Timeout))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await direct.GetAsync("/health/leader")).StatusCode); // so MQTT goes to node A
            var websocket = await direct.GetAsync("/mqtt"); // MQTT over WebSockets: the leader's too
            Assert.Equal(HttpStatusCode.ServiceUnavailable, websocket.StatusCode);
            Assert.Contains("served by the cluster's leader", await websocket.Content.ReadAsStringAsync());
        }

        await nodeA.KillAsync();
        await nodeB.WaitForExitAsync(Wait.Timeout);
        Assert.Equal(75, nodeB.ExitCode);
        await nodeB.DisposeAsync();
        await using var restartedB = await ClusterNodes.AdvertisedLeaderAsync(storeB, "node-b", nodeB.Address.Port, nodeB.MqttPort);
        var after = await ClusterWrites.UntilAcknowledgedAsync(() => balancer.Http, "cluster.Probe", () => $"haproxy said: {haproxy.Output}"); // retried until the new leader answers through the same address
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/items/{before}")).StatusCode);
        Assert.NotEqual(before, after);
        await using var console = await ConnectThroughAsync(mqtt, "console-lb");
        await console.SubscribeAsync("lb/#");
        Assert.Equal(("1", true), await console.NextAsync("lb/before")); // the retained message, from the store
    }

    private static async Task<MqttTestClient> ConnectThroughAsync(int port, string clientId)
    {
        MqttTestClient? connected = null;
        await Wait.UntilAsync(async () =>
        {
            try
            {
                var (client, result) = await MqttTestClient.TryConnectAsync(MqttTestClient.Options(port, clientId).WithTimeout(TimeSpan.FromSeconds(2)).Build());
                connected = result.ResultCode == MQTTnet.MqttClientConnectResultCode.Success ? client : null;
                return connected is not null;
            }
            catch (Exception unreachable) when (unreachable is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                return false;
            }
        }, "an MQTT connection through haproxy");
        return connected!;
    }
}
