using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Equip.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Equip.Tests.Api;

public sealed class ItemsApiTests : IDisposable
{
    private readonly TestStore _store = TestStore.Sqlite().With("Equip:Limits:MaxRequestBodyBytes", "4096");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly EquipServer _server;
    private readonly HttpClient _http;

    public ItemsApiTests()
    {
        _server = new EquipServer(_store, _time);
        _http = _server.NewClient();
    }

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
        _store.Dispose();
    }

    private Task<HttpResponseMessage> PostJsonAsync(string url, string json) =>
        _http.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task<JsonElement> AddAsync(string json)
    {
        var response = await PostJsonAsync("/api/items", json);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    [Fact]
    public async Task PostingANewItemAnswers201WithLocationAndTheItem()
    {
        var response = await PostJsonAsync("/api/items", """{"type":"demo.Lamp","fields":{"room":"hall"}}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var item = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = item.GetProperty("id").GetGuid();
        Assert.Equal($"/api/items/{id}", response.Headers.Location?.OriginalString);
        string[] keys = ["id", "type", "fields", "responsible", "processBound", "leaseExpiresAt", "revision", "createdAt", "updatedAt"];
        Assert.Equal(keys, item.EnumerateObject().Select(p => p.Name));
        Assert.Equal("hall", item.GetProperty("fields").GetProperty("room").GetString());
        var fetched = await _http.GetFromJsonAsync<JsonElement>($"/api/items/{id}");
        Assert.Equal(item.GetRawText(), fetched.GetRawText());
    }

    [Fact]
    public async Task ReaddingAnIdAnswers200AndRenewsTheLease()
    {
        var id = Guid.NewGuid();
        var first = await AddAsync($$"""{"id":"{{id}}","type":"demo.Lamp","fields":{},"leaseSeconds":60}""");
        _time.Advance(TimeSpan.FromSeconds(10));

        var again = await PostJsonAsync("/api/items", $$$"""{"id":"{{{id}}}","type":"demo.Lamp","fields":{"on":true}}""");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var item = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(item.GetProperty("fields").GetProperty("on").GetBoolean());
        Assert.Equal(
            first.GetProperty("leaseExpiresAt").GetDateTimeOffset() + TimeSpan.FromSeconds(10),
            item.GetProperty("leaseExpiresAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task PutWithAStaleIfMatchAnswers412AndWithTheCurrentOneUpdates()
    {
        var item = await AddAsync("""{"type":"demo.Lamp","fields":{"on":false}}""");
        var url = $"/api/items/{item.GetProperty("id").GetGuid()}";
        var get = await _http.GetAsync(url);
        var etag = get.Headers.ETag!.Tag;
        Assert.Equal($"\"{item.GetProperty("revision").GetInt64()}\"", etag);

        var stale = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent("""{"fields":{"on":true}}""") };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"999\"");
        var problem = await ProblemAsync(await _http.SendAsync(stale), HttpStatusCode.PreconditionFailed);
        Assert.Equal(item.GetProperty("revision").GetInt64(), problem.GetProperty("currentRevision").GetInt64());

        var current = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent("""{"fields":{"on":true}}""") };
        current.Headers.TryAddWithoutValidation("If-Match", etag);
        var updated = await _http.SendAsync(current);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var body = await updated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("fields").GetProperty("on").GetBoolean());
        Assert.Equal(item.GetProperty("revision").GetInt64() + 1, body.GetProperty("revision").GetInt64());
    }

    [Fact]
    public async Task DeleteAnswers204AndTheItemIsGone()
    {
        var item = await AddAsync("""{"type":"demo.Lamp","fields":{}}""");
        var url = $"/api/items/{item.GetProperty("id").GetGuid()}";

        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync(url)).StatusCode);

        await ProblemAsync(await _http.GetAsync(url), HttpStatusCode.NotFound);
        await ProblemAsync(await _http.DeleteAsync(url), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"type":""", "Failed to read")]
    [InlineData("""{"fields":{}}""", "needs a type")]
    [InlineData("""{"type":"demo.Lamp","fields":[1,2]}""", "JSON object")]
    [InlineData("""{"type":"demo.Lamp","processBound":true}""", "peer")]
    [InlineData("""{"type":"demo.Lamp","leaseSeconds":-1}""", "leaseSeconds")]
    [InlineData("""{"type":"demo.Lamp","fields":"x"}""", "JSON object")]
    [InlineData("[]", "Failed to read")]
    public async Task BadItemsAnswer400WithProblemDetails(string body, string detail)
    {
        var problem = await ProblemAsync(await PostJsonAsync("/api/items", body), HttpStatusCode.BadRequest);

        Assert.Contains(detail, problem.GetProperty("detail").GetString());
        Assert.Empty((await _http.GetFromJsonAsync<JsonElement[]>("/api/items"))!);
    }

    [Fact]
    public async Task AnOversizedBodyAnswers413NamingTheLimit()
    {
        var big = $$$"""{"type":"demo.Blob","fields":{"data":"{{{new string('x', 8000)}}}"}}""";

        var problem = await ProblemAsync(await PostJsonAsync("/api/items", big), HttpStatusCode.RequestEntityTooLarge);

        Assert.Contains("MaxRequestBodyBytes", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ABodyThatIsNotJsonAnswers415()
    {
        var response = await _http.PostAsync("/api/items", new StringContent("""{"type":"demo.Lamp"}""", Encoding.UTF8, "text/plain"));

        await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("/api/items/not-a-guid")]
    [InlineData("/api/items?limit=0")]
    [InlineData("/api/items?limit=100000")]
    [InlineData("/api/items?after=zzz")]
    [InlineData("/api/items?type=a*b")]
    [InlineData("/api/events?after=-1")]
    public async Task BadQueriesAnswer400(string url)
    {
        await ProblemAsync(await _http.GetAsync(url), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AMalformedIfMatchAnswers400()
    {
        var item = await AddAsync("""{"type":"demo.Lamp","fields":{}}""");
        var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/items/{item.GetProperty("id").GetGuid()}");
        request.Headers.TryAddWithoutValidation("If-Match", "yesterday");

        await ProblemAsync(await _http.SendAsync(request), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task QueriesFilterByTypePrefixFieldAndPageWithAfter()
    {
        for (var i = 0; i < 5; i++)
        {
            await AddAsync($$$"""{"type":"demo.Lamp","fields":{"room":"{{{(i < 3 ? "hall" : "attic")}}}","level":{{{i}}}}}""");
        }
        await AddAsync("""{"type":"demo.Door","fields":{"room":"hall"}}""");
        await AddAsync("""{"type":"other.Thing","fields":{"room":"hall"}}""");

        Assert.Equal(6, (await _http.GetFromJsonAsync<JsonElement[]>("/api/items?type=demo.*"))!.Length);
        Assert.Equal(3, (await _http.GetFromJsonAsync<JsonElement[]>("/api/items?type=demo.Lamp&field.room=hall"))!.Length);
        Assert.Single((await _http.GetFromJsonAsync<JsonElement[]>("/api/items?type=demo.Lamp&field.level=4"))!);
        Assert.Empty((await _http.GetFromJsonAsync<JsonElement[]>("/api/items?field.level=\"4\""))!);

        var first = (await _http.GetFromJsonAsync<JsonElement[]>("/api/items?type=demo.*&limit=4"))!;
        var rest = (await _http.GetFromJsonAsync<JsonElement[]>($"/api/items?type=demo.*&limit=4&after={first[^1].GetProperty("id").GetGuid()}"))!;
        var ids = first.Concat(rest).Select(i => i.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(4, first.Length);
        Assert.Equal(2, rest.Length);
        Assert.Equal(6, ids.Distinct().Count());
    }

    [Fact]
    public async Task TheEventFeedListsChangesInRevisionOrderWithTheCurrentRevision()
    {
        var item = await AddAsync("""{"type":"demo.Lamp","fields":{}}""");
        var url = $"/api/items/{item.GetProperty("id").GetGuid()}";
        await _http.PutAsync(url, JsonContent("""{"fields":{"on":true}}"""));
        await _http.DeleteAsync(url);

        var page = await _http.GetFromJsonAsync<JsonElement>("/api/events?after=0&limit=10");

        var events = page.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["added", "updated", "deleted"], events.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal([1L, 2, 3], events.Select(e => e.GetProperty("revision").GetInt64()));
        Assert.False(events[0].TryGetProperty("reason", out _));
        Assert.Equal("explicit", events[2].GetProperty("reason").GetString());
        Assert.Equal(3, page.GetProperty("currentRevision").GetInt64());
        var later = await _http.GetFromJsonAsync<JsonElement>("/api/events?after=2&limit=10");
        Assert.Single(later.GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task ALeasedItemExpiresWithinASecondUnlessRenewed()
    {
        var renewed = await AddAsync("""{"type":"demo.Lamp","fields":{},"leaseSeconds":5}""");
        var expiring = await AddAsync("""{"type":"demo.Lamp","fields":{},"leaseSeconds":5}""");
        var renewedUrl = $"/api/items/{renewed.GetProperty("id").GetGuid()}";
        _time.Advance(TimeSpan.FromSeconds(4));
        var renewal = await PostJsonAsync($"{renewedUrl}/lease", "{}");
        Assert.Equal(HttpStatusCode.OK, renewal.StatusCode);

        _time.Advance(TimeSpan.FromSeconds(1.25));
        await Wait.UntilAsync(async () => (await _http.GetAsync($"/api/items/{expiring.GetProperty("id").GetGuid()}")).StatusCode == HttpStatusCode.NotFound,
            "the unrenewed item expires");

        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(renewedUrl)).StatusCode);
        var events = await _http.GetFromJsonAsync<JsonElement>("/api/events?after=2");
        var deleted = events.GetProperty("events").EnumerateArray().Single();
        Assert.Equal("leaseExpired", deleted.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task RenewingAnItemWithoutALeaseAnswers409AndAnUnknownOne404()
    {
        var item = await AddAsync("""{"type":"demo.Lamp","fields":{}}""");

        await ProblemAsync(await PostJsonAsync($"/api/items/{item.GetProperty("id").GetGuid()}/lease", "{}"), HttpStatusCode.Conflict);
        await ProblemAsync(await PostJsonAsync($"/api/items/{Guid.NewGuid()}/lease", "{}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task HealthSwaggerAndDashboardAreServed()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health")).StatusCode);
        var swagger = await _http.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        var paths = swagger.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/items", out _));
        Assert.True(paths.TryGetProperty("/api/items/{id}/lease", out _));
        Assert.True(paths.TryGetProperty("/api/events", out _));
        foreach (var path in new[] { "/api/peers", "/api/containers", "/api/capabilities", "/api/components", "/api/components/{id}/properties/{name}", "/api/component-requests", "/api/component-requests/{id}", "/api/links", "/api/links/{id}", "/api/constants", "/api/constants/{id}", "/api/installation" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }
        var request = swagger.GetProperty("components").GetProperty("schemas").GetProperty("CreateComponentRequest");
        Assert.Equal("Slider", request.GetProperty("properties").GetProperty("capability").GetProperty("example").GetString());
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/swagger/index.html")).StatusCode);
        Assert.DoesNotContain(paths.EnumerateObject(), p => !p.Name.StartsWith("/api/", StringComparison.Ordinal)); // the dashboard's pages are not API
        var dashboard = await _http.GetStringAsync("/");
        Assert.Contains("<title>Equip</title>", dashboard);
        Assert.Contains("_framework/blazor.web", dashboard);
    }

    private static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");
}
