using System.Net.Http.Json;
using System.Text.Json;
using Equip.Testing;
using Equip.Tests.Dashboard;
using Equip.Tests.Support;
using Microsoft.Playwright;

namespace Equip.Tests.Cluster;

/// The dashboard in Chromium through the shipped haproxy configuration, in front of a leader and a
/// follower (docs/scaling.md): signed in once, it shows the cluster; the node serving it is killed
/// -9 (a follower that must take over is started again where it was, as its supervisor would);
/// a reload lands on the node left, still signed in.
[Collection(PostgresCollection.Name)]
public sealed class DashboardFailoverTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ADashboardWhoseNodeDiesRecoversOnAnotherAfterAReload()
    {
        using var store = await ClusterNodes.StoreAsync(postgres);
        var stores = new Dictionary<string, TestStore>
        {
            ["node-a"] = store,
            ["node-b"] = ClusterNodes.OwnDirectory(store),
        };
        var nodes = new Dictionary<string, ServerProcess>
        {
            ["node-a"] = await ClusterNodes.AdvertisedLeaderAsync(stores["node-a"], "node-a"),
        };
        nodes["node-b"] = await ClusterNodes.FollowerAsync(stores["node-b"], "node-b");
        await using var balancer = Balancer.Start(nodes["node-a"], nodes["node-b"], store.DataDirectory);
        await using var browser = new Browser();
        await browser.InitializeAsync();
        try
        {
            var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
            context.SetDefaultTimeout((float)Deadline.TotalMilliseconds);
            var page = await context.NewPageAsync();
            await page.GotoAsync(new Uri(balancer.Http, "/signin").ToString());
            await DashboardSession.SubmitKeyAsync(page, TestKeys.Admin);
            await Assertions.Expect(page).ToHaveURLAsync(new Uri(balancer.Http, "/").ToString());
            var card = page.GetByTestId("nodes-card");
            await Assertions.Expect(card).ToContainTextAsync("leader");
            await Assertions.Expect(card).ToContainTextAsync("follower");

            // The node that serves this browser (haproxy chooses by the client's address).
            using var rest = TestHttp.Client(balancer.Http, Wait.Timeout);
            var serving = (await rest.GetFromJsonAsync<JsonElement>("/api/cluster")).GetProperty("nodes")[0].GetProperty("nodeId").GetString()!;
            var other = serving == "node-a" ? "node-b" : "node-a";
            await nodes[serving].KillAsync();
            if (serving == "node-a")
            {
                // The leader died: the follower takes the lock and restarts to lead.
                await nodes[other].WaitForExitAsync(Wait.Timeout);
                Assert.Equal(75, nodes[other].ExitCode);
                var exited = nodes[other];
                await exited.DisposeAsync();
                nodes[other] = await ClusterNodes.AdvertisedLeaderAsync(stores[other], other, exited.Address.Port, exited.MqttPort);
            }

            // Reloaded until haproxy has marked the dead node down: the other node serves the
            // dashboard, and the cookie made by the dead node holds there (its keys are in the store).
            await Wait.UntilAsync(async () =>
            {
                try
                {
                    await page.ReloadAsync(new PageReloadOptions { Timeout = 5000 });
                    return await page.GetByTestId("nodes-card").CountAsync() == 1;
                }
                catch (PlaywrightException)
                {
                    return false;
                }
            }, "the dashboard served again after a reload");
            Assert.Equal(new Uri(balancer.Http, "/").ToString(), page.Url);
            await Assertions.Expect(page.GetByTestId("nodes-card")).ToContainTextAsync(other);
            Assert.Equal(other, (await rest.GetFromJsonAsync<JsonElement>("/api/cluster")).GetProperty("nodes")[0].GetProperty("nodeId").GetString());
        }
        finally
        {
            foreach (var node in nodes.Values)
            {
                await node.DisposeAsync();
            }
        }
    }
}
