using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Tests.Security;

namespace Equip.Tests.Cluster;

/// GET /api/cluster on a single node (docs/scaling.md, docs/rest-api.md): not a cluster, no term,
/// and the node itself, leading, at the revision it has applied; like every API, only with a key.
public sealed class SingleNodeClusterApiTests : SecurityServer
{
    [Fact]
    public async Task ASingleNodeIsItsOwnLeaderWithoutATerm()
    {
        using var admin = Server.NewClient();
        await admin.PostAsJsonAsync("/api/items", new { type = "probe", fields = new { } });
        var cluster = await admin.GetFromJsonAsync<JsonElement>("/api/cluster");
        Assert.False(cluster.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, cluster.GetProperty("term").ValueKind);
        var node = Assert.Single(cluster.GetProperty("nodes").EnumerateArray());
        Assert.Equal("leader", node.GetProperty("role").GetString());
        Assert.True(node.GetProperty("appliedRevision").GetInt64() >= 1);

        using var anonymous = Server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/cluster")).StatusCode);
    }
}
