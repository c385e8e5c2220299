using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Equip.Protocol;
using Equip.Tests.Conformance;
using Equip.Tests.Support;

namespace Equip.Tests.Security;

/// Without a valid key nothing but /health answers: REST, the hub (header and access_token) and
/// /metrics refuse with 401 and problem details.
public sealed class AuthenticationTests : SecurityServer
{
    [Theory]
    [InlineData("/api/items")]
    [InlineData("/api/events?after=0")]
    [InlineData("/api/peers")]
    [InlineData("/api/keys")]
    [InlineData("/api/installation")]
    [InlineData("/metrics")]
    public async Task RequestsWithoutAKeyAreRefusedWithProblemDetails(string path)
    {
        using var anonymous = Server.NewClient(key: null);
        var response = await anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Authorization: Bearer", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("eqa_not-the-admin-key-at-all")]
    [InlineData("short")]
    [InlineData("eqd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task AWrongKeyIsRefused(string key)
    {
        using var wrong = Server.NewClient(key);
        var response = await wrong.GetAsync("/api/items");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.Single().Parameter);
        // The client's mistake is a warning, never an error.
        Assert.Contains(Server.Logs.Entries, e => e is { Level: Microsoft.Extensions.Logging.LogLevel.Warning, EventName: "AuthenticationRefused" });
        Assert.Empty(Server.Logs.AtLeast(Microsoft.Extensions.Logging.LogLevel.Error));
    }

    [Fact]
    public async Task AnAuthorizationHeaderThatIsNotBearerIsRefused()
    {
        using var basic = Server.NewClient(key: null);
        basic.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String("admin:admin"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await basic.GetAsync("/api/items")).StatusCode);
    }

    [Fact]
    public async Task HealthStaysOpen()
    {
        using var anonymous = Server.NewClient(key: null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task TheHubRefusesAConnectionWithoutAKeyOrWithAWrongOne()
    {
        var none = await Assert.ThrowsAsync<HttpRequestException>(() => HubClient.ConnectAsync(Server.Address, key: null));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        var wrong = await Assert.ThrowsAsync<HttpRequestException>(() => HubClient.ConnectAsync(Server.Address, key: "eqa_wrong-key-wrong-key"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        // A browser's WebSocket sends the key as access_token; a wrong one is refused at the upgrade.
        await Assert.ThrowsAsync<WebSocketException>(() => WireHub.TryConnectAsync(Server.Address, WireFormat.Json, key: "eqa_wrong-key-wrong-key"));

        var (hub, error) = await WireHub.TryConnectAsync(Server.Address, WireFormat.Json);
        Assert.Null(error);
        await hub!.DisposeAsync();
    }

    [Fact]
    public async Task ADeviceKeyReadsRestButWritesOnlyThroughTheHub()
    {
        var (_, key) = await MakeKeyAsync("hall lamps");
        using var device = Server.NewClient(key);

        Assert.Equal(HttpStatusCode.OK, (await device.GetAsync("/api/items")).StatusCode);
        var write = await device.PostAsJsonAsync("/api/items", new { type = "demo.Thing", fields = new { } });
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal("application/problem+json", write.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, (await device.GetAsync("/api/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await device.PostAsJsonAsync("/api/keys", new { name = "mine" })).StatusCode);

        var (hub, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a", key: key);
        await using var _ = hub;
        var added = await hub.InvokeAsync<WireItem>(HubNames.Add, new AddRequest { Type = "demo.Thing", Fields = Json("""{"on":true}""") });
        Assert.Equal("lamp-1", added.Responsible);
    }

    [Fact]
    public async Task AKeyIsShownOnceAndStoredOnlyAsItsHash()
    {
        var (id, key) = await MakeKeyAsync("stored");
        using var admin = Server.NewClient();
        var listed = await admin.GetFromJsonAsync<JsonElement[]>("/api/keys");

        var entry = listed!.Single(k => k.GetProperty("id").GetGuid() == id);
        Assert.False(entry.TryGetProperty("key", out _));
        Assert.False(entry.TryGetProperty("hash", out _));
        Assert.StartsWith(entry.GetProperty("prefix").GetString()!, key, StringComparison.Ordinal);
        foreach (var file in Directory.GetFiles(Store.DataDirectory, "equip.db*"))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.Equal(-1, bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(key)));
        }
    }
}
