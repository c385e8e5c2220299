using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Equip.Testing;
using Microsoft.EntityFrameworkCore;
using Equip.Tests.Support;
using Xunit.Abstractions;

namespace Equip.Tests.Cluster;

/// Two nodes on one PostgreSQL (docs/scaling.md): one leads, the other stands by; when the leader
/// is killed -9, or stopped (SIGSTOP) past its lock timeout, the standby takes the lock, starts a
/// new term and serves the store with every acknowledged write; a stopped leader that wakes up
/// commits nothing and stops.
[Collection(PostgresCollection.Name)]
public sealed class FailoverTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const string ProbeType = "cluster.Probe";

    private Task<TestStore> ClusterStoreAsync() => ClusterNodes.StoreAsync(postgres);

    [Fact]
    public async Task WhenTheLeaderIsKilledTheStandbyTakesOverWithEveryAcknowledgedWrite()
    {
        using var store = await ClusterStoreAsync();
        await using var leader = await ClusterNodes.LeaderAsync(store, "node-a");
        var elsewhere = Directory.CreateTempSubdirectory("equip-node-b-").FullName; // a machine of its own: nothing shared but PostgreSQL
        await using var standby = await ClusterNodes.StandbyAsync(store.With("Equip:DataDirectory", elsewhere), "node-b");
        using var first = TestHttp.Client(leader.Address, Wait.Timeout);
        var written = await WriteAsync(first, 1);
        // The dashboard's sign-in form, as node A served it (its antiforgery cookie and token).
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { Timeout = Wait.Timeout };
        var form = await browser.GetStringAsync(new Uri(leader.Address, "/signin"));
        var token = Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        await using var device = DeviceProcess.Start([leader.Address, standby.Address], "sim-c", "--max-reconnect-delay-ms", "300");
        var created = await first.PostAsJsonAsync("/api/component-requests", new { capability = "Counter", containerId = "sim-c" });
        var request = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await ComponentRequests.RunningAsync(first, request);
        await Wait.UntilAsync(async () => (await first.GetFromJsonAsync<JsonElement>("/api/cluster")).GetProperty("nodes").EnumerateArray()
            .Select(n => (n.GetProperty("nodeId").GetString(), n.GetProperty("role").GetString())).Order()
            .SequenceEqual([("node-a", "leader"), ("node-b", "standby")]), "the leader and the standby in GET /api/cluster");

        var killed = Stopwatch.StartNew();
        await leader.KillAsync();
        await standby.WaitUntilHealthyAsync(Wait.Timeout);
        output.WriteLine($"kill -9 to the standby answering: {killed.ElapsedMilliseconds} ms");
        Assert.Contains("node-b leads, in term 2", standby.Output);
        using var second = TestHttp.Client(standby.Address, Wait.Timeout);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync($"/api/items/{written}")).StatusCode);
        await WriteAsync(second, 2);
        // The device moved to the new leader by itself (its second address) and runs its component again.
        await Wait.UntilAsync(async () => (await second.GetFromJsonAsync<JsonElement>("/api/peers")).EnumerateArray()
            .Any(p => p.GetProperty("peerId").GetString() == "sim-c" && p.GetProperty("state").GetString() == "connected"), "the device connected to the new leader");
        await ComponentRequests.RunningAsync(second, request);

        // Node B reads node A's antiforgery token (the key ring is in the store): the sign-in
        // started on A completes on B, which sets the session cookie.
        var signIn = await browser.PostAsync(new Uri(standby.Address, "/signin"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = token,
            ["Input.Key"] = TestKeys.Admin,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Contains(cookies.GetCookies(standby.Address).Cast<Cookie>(), c => c.Name == "equip.session");

        var metrics = await second.GetStringAsync("/metrics");
        Assert.Contains("equip_cluster_term", metrics);
        Assert.Matches(@"equip_cluster_term(\{[^}]*\})? 2\b", metrics);
        Assert.Matches(@"equip_cluster_leader(\{[^}]*\})? 1\b", metrics);
        var cluster = await second.GetFromJsonAsync<JsonElement>("/api/cluster");
        Assert.Equal(2, cluster.GetProperty("term").GetInt64());
        var roles = cluster.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("nodeId").GetString()!, n => n.GetProperty("role").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["node-b"] = "leader", ["node-a"] = "unreachable" }, roles);
    }

    [Fact]
    public async Task ALeaderStoppedPastItsLockTimeoutIsReplacedAndCommitsNothingWhenItWakes()
    {
        using var store = await ClusterStoreAsync();
        await using var leader = await ClusterNodes.LeaderAsync(store, "node-a");
        await using var standby = await ClusterNodes.StandbyAsync(store, "node-b");
        using var first = TestHttp.Client(leader.Address, TimeSpan.FromSeconds(10));
        await WriteAsync(first, 1);

        await leader.SignalAsync("STOP");
        var stopped = Stopwatch.StartNew();
        await standby.WaitUntilHealthyAsync(Wait.Timeout);
        output.WriteLine($"SIGSTOP to the standby answering: {stopped.ElapsedMilliseconds} ms");
        using var second = TestHttp.Client(standby.Address, Wait.Timeout);
        await WriteAsync(second, 2);

        // Woken, the old leader refuses the write (or its connection) and stops; nothing it was
        // sent is stored.
        await leader.SignalAsync("CONT");
        var late = Guid.NewGuid();
        try
        {
            var response = await first.PostAsJsonAsync("/api/items", Probe(late, 3));
            Assert.NotEqual(HttpStatusCode.Created, response.StatusCode);
        }
        catch (Exception refused) when (refused is HttpRequestException or TaskCanceledException)
        {
            // the connection closed as it stopped
        }
        await leader.WaitForExitAsync(Wait.Timeout);
        Assert.Equal(75, leader.ExitCode);
        Assert.Contains("steps down from term 1", leader.Output);
        Assert.Equal(HttpStatusCode.NotFound, (await second.GetAsync($"/api/items/{late}")).StatusCode);
        var events = await second.GetFromJsonAsync<JsonElement>("/api/events?after=0&limit=1000");
        var revisions = events.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("revision").GetInt64()).ToList();
        Assert.Equal(revisions.Order(), revisions); // no revision set back
        await WriteAsync(second, 4);
    }

    [Fact]
    public async Task ALeaderCutFromPostgresStepsDownAndTheStandbyTakesOver()
    {
        using var store = await ClusterStoreAsync();
        await using var cut = new FaultProxy(postgres.Cluster.Port); // node A reaches PostgreSQL only through it
        var throughProxy = store.Settings["Equip:Database:ConnectionString"].Replace($"Port={postgres.Cluster.Port}", $"Port={cut.Port}");
        await using var leader = await ClusterNodes.LeaderAsync(store.With("Equip:Database:ConnectionString", throughProxy), "node-a");
        await using var standby = await ClusterNodes.StandbyAsync(store, "node-b");
        using var first = TestHttp.Client(leader.Address, TimeSpan.FromSeconds(5));
        var written = await WriteAsync(first, 1);

        cut.Blackhole(); // silently: packets go nowhere, no connection is closed
        var cutAt = Stopwatch.StartNew();
        var answering = Task.Run(async () => { await standby.WaitUntilHealthyAsync(Wait.Timeout); return cutAt.ElapsedMilliseconds; });
        var steppedDown = Task.Run(async () => { await leader.WaitForOutputAsync("steps down from term 1").WaitAsync(Wait.Timeout); return cutAt.ElapsedMilliseconds; });
        output.WriteLine($"cut to the standby answering: {await answering} ms; to the leader stepping down: {await steppedDown} ms");
        using var second = TestHttp.Client(standby.Address, Wait.Timeout);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync($"/api/items/{written}")).StatusCode);
        await WriteAsync(second, 2);
        var cluster = await second.GetFromJsonAsync<JsonElement>("/api/cluster");
        Assert.Equal(2, cluster.GetProperty("term").GetInt64());
    }

    [Fact]
    public async Task ACommitInATermThatHasPassedIsRefusedAndTheNodeStepsDown()
    {
        using var store = await ClusterStoreAsync();
        await using var leader = await ClusterNodes.LeaderAsync(store, "node-a");
        using var http = TestHttp.Client(leader.Address, Wait.Timeout);
        await WriteAsync(http, 1);
        await using (var db = store.OpenDb())
        {
            // Another node's election, as it looks to this one: the term moves on.
            await db.Database.ExecuteSqlRawAsync("""UPDATE cluster_state SET "Term" = "Term" + 1""");
        }
        var late = Guid.NewGuid();
        var response = await http.PostAsJsonAsync("/api/items", Probe(late, 2));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        await leader.WaitForExitAsync(Wait.Timeout);
        Assert.Equal(75, leader.ExitCode);
        Assert.Contains("another node has started a newer term", leader.Output);
        await using (var db = store.OpenDb())
        {
            Assert.False(await db.Items.AnyAsync(i => i.Id == late));
        }
    }

    [Fact]
    public async Task ASqliteStoreRefusesToJoinACluster()
    {
        using var store = TestStore.Sqlite().With("Equip:Cluster:Enabled", "true");
        await using var node = ServerProcess.Launch(store.Settings, store.DataDirectory);
        await node.WaitForExitAsync(Wait.Timeout);
        Assert.NotEqual(0, node.ExitCode);
        Assert.Contains("Equip:Cluster:Enabled needs PostgreSQL", node.Output);
    }

    [Fact]
    public async Task ANodeWithoutAConfiguredAdminKeyRefusesToJoinACluster()
    {
        using var store = await ClusterStoreAsync();
        var settings = store.Settings.Where(s => s.Key != "Equip:Auth:AdminKey").ToDictionary();
        await using var node = ServerProcess.Launch(settings, store.DataDirectory);
        await node.WaitForExitAsync(Wait.Timeout);
        Assert.NotEqual(0, node.ExitCode);
        Assert.Contains("Equip:Cluster:Enabled needs the admin key configured", node.Output);
    }

    private static object Probe(Guid id, int n) => new { id, type = ProbeType, fields = new { n } };

    private static async Task<Guid> WriteAsync(HttpClient http, int n)
    {
        var id = Guid.NewGuid();
        var response = await http.PostAsJsonAsync("/api/items", Probe(id, n));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }
}
