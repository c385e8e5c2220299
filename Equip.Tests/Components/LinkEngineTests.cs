using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Protocol;
using Equip.Tests.Support;
using static Equip.Tests.Support.PublishedComponents;

namespace Equip.Tests.Components;

/// Links and constants through the REST API, with components published by Equip.Client peers.
public abstract partial class LinkEngineTests : IAsyncLifetime
{
    private static readonly PropertySchema Value = new("value", "number", false, Json(0));
    private static readonly PropertySchema Text = new("text", "string", false, Json(""));
    private static readonly PropertySchema Updates = new("updates", "integer", true, Json(0));
    private static readonly PropertySchema Count = new("count", "integer", false, Json(0));
    private TestStore _store = null!;
    private readonly List<EquipClient> _devices = [];
    private EquipServer _server = null!;
    private HttpClient _http = null!;

    protected abstract Task<TestStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        _server = new EquipServer(_store);
        _http = _server.NewClient();
    }

    public async Task DisposeAsync()
    {
        foreach (var device in _devices)
        {
            await device.DisposeAsync();
        }
        _http.Dispose();
        _server.Dispose();
        _store.Dispose();
    }

    private async Task<EquipClient> DeviceAsync(string containerId, string capability, params PropertySchema[] schema)
    {
        var device = Devices.Start(_server.Address, containerId);
        _devices.Add(device);
        await PublishContainerAsync(device, containerId, null, capability, schema);
        return device;
    }

    private async Task<Guid> RequestAsync(string capability, string containerId)
    {
        var response = await _http.PostAsJsonAsync("/api/component-requests", new { capability, containerId });
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<HttpResponseMessage> LinkAsync(Guid source, string sourceProperty, Guid destination, string destinationProperty) =>
        await _http.PostAsJsonAsync("/api/links", new
        {
            source = new { componentRequestId = source, property = sourceProperty },
            destination = new { componentRequestId = destination, property = destinationProperty },
        });

    private static Replica Watch(EquipClient device) => device.Subscribe(new WirePattern { Type = Ect.Property });

    private static JsonElement? ValueOf(Replica replica, Guid requestId, string property) =>
        replica.Get(Ect.PropertyItemId(Ect.ComponentIdForRequest(requestId), property))?.Fields.GetProperty("value");

    /// Two counters on one device, at 1, each linked to the other, both links active (the engine
    /// carries values along them from then on).
    private async Task<(EquipClient Device, Guid A, Guid B)> CycleOfTwoCountersAsync()
    {
        var device = await DeviceAsync("sim-1", "Counter", Count);
        Guid a = await RequestAsync("Counter", "sim-1"), b = await RequestAsync("Counter", "sim-1");
        await PublishComponentAsync(device, "sim-1", a, "Counter", (Count, 1));
        await PublishComponentAsync(device, "sim-1", b, "Counter", (Count, 1));
        foreach (var (from, to) in new[] { (a, b), (b, a) })
        {
            var link = await LinkAsync(from, "count", to, "count");
            link.EnsureSuccessStatusCode();
            var id = (await link.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await Wait.UntilAsync(async () => (await LinkStateAsync(id)).GetProperty("status").GetString() == "active", "the link is active");
        }
        return (device, a, b);
    }

    private async Task<JsonElement> LinkStateAsync(Guid id) => await _http.GetFromJsonAsync<JsonElement>($"/api/links/{id}");

    [Fact]
    public async Task ALinkPushesTheCurrentValueOnCreationAndEveryNewValueAfter()
    {
        var sliders = await DeviceAsync("sim-1", "Slider", Value);
        var displays = await DeviceAsync("sim-2", "Display", Text, Updates);
        Guid slider = await RequestAsync("Slider", "sim-1"), display = await RequestAsync("Display", "sim-2");
        await PublishComponentAsync(sliders, "sim-1", slider, "Slider", (Value, 0.5));
        await PublishComponentAsync(displays, "sim-2", display, "Display", (Text, ""), (Updates, 0));

        var created = await LinkAsync(slider, "value", display, "text");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var displayWatch = Watch(displays);
        await displayWatch.Settled(r => ValueOf(r, display, "text")?.GetString() == "0.5");

        var counters = await DeviceAsync("sim-3", "Counter", Count);
        var counter = await RequestAsync("Counter", "sim-3");
        await PublishComponentAsync(counters, "sim-3", counter, "Counter", (Count, 0));
        var counterWatch = Watch(counters);
        var link = await LinkAsync(slider, "value", counter, "count");
        await counterWatch.Settled(r => ValueOf(r, counter, "count") is { } v && v.GetInt64() == 0);
        await sliders.UpdateAsync(new UpdateRequest
        {
            Id = Ect.PropertyItemId(slider.ToString(), "value"),
            Fields = EctJson.Write(new PropertyFields(slider.ToString(), "value", "number", false, Json(7.0))),
        });

        await counterWatch.Settled(r => ValueOf(r, counter, "count") is { } v && v.GetInt64() == 7);
        await displayWatch.Settled(r => ValueOf(r, display, "text")?.GetString() == "7");
        var state = await LinkStateAsync((await link.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        Assert.Equal("active", state.GetProperty("status").GetString());
        Assert.True(state.GetProperty("lastValueAgeSeconds").GetDouble() >= 0);
    }

    [Fact]
    public async Task AValueThatDoesNotConvertWithoutLossShowsAsATypeMismatch()
    {
        var displays = await DeviceAsync("sim-1", "Display", Text, Updates);
        var counters = await DeviceAsync("sim-2", "Counter", Count);
        Guid display = await RequestAsync("Display", "sim-1"), counter = await RequestAsync("Counter", "sim-2");
        await PublishComponentAsync(displays, "sim-1", display, "Display", (Text, "not a number"), (Updates, 0));
        await PublishComponentAsync(counters, "sim-2", counter, "Counter", (Count, 0));

        var link = await LinkAsync(display, "text", counter, "count");

        var id = (await link.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await Wait.UntilAsync(async () => (await LinkStateAsync(id)).GetProperty("status").GetString() == "typeMismatch", "the mismatch is reported");
        await displays.UpdateAsync(new UpdateRequest
        {
            Id = Ect.PropertyItemId(display.ToString(), "text"),
            Fields = EctJson.Write(new PropertyFields(display.ToString(), "text", "string", false, Json("12"))),
        });
        await Wait.UntilAsync(async () => (await LinkStateAsync(id)).GetProperty("status").GetString() == "active", "a numeric text is carried");
    }

    [Fact]
    public async Task ACycleOfLinksSettlesInsteadOfRinging()
    {
        var (device, a, b) = await CycleOfTwoCountersAsync();
        var watch = Watch(device);
        await watch.Settled(r => r.HasSnapshot);

        await device.UpdateAsync(new UpdateRequest
        {
            Id = Ect.PropertyItemId(a.ToString(), "count"),
            Fields = EctJson.Write(new PropertyFields(a.ToString(), "count", "integer", false, Json(5))),
        });
        await watch.Settled(r => ValueOf(r, b, "count") is { } v && v.GetInt64() == 5);
        var settledAt = watch.Revision;
        var marker = await device.AddAsync(Devices.Thing("marker"));

        // Up to the marker, no property changed again; the launcher may still be marking the two
        // requests placed meanwhile (it runs on its own pace), which is not the cycle ringing.
        var events = (await _http.GetFromJsonAsync<JsonElement>($"/api/events?after={settledAt}&limit=100")).GetProperty("events").EnumerateArray().ToList();
        Assert.Contains(events, e => e.GetProperty("item").GetProperty("id").GetGuid() == marker.Id);
        Assert.DoesNotContain(events, e => e.GetProperty("item").GetProperty("type").GetString() == Ect.Property);
    }

    [Fact]
    public async Task ALinkIntoAReadOnlyPropertyIsRefusedAndMissingEndsShowInTheStatus()
    {
        await DeviceAsync("sim-1", "Display", Text, Updates);
        Guid display = await RequestAsync("Display", "sim-1"), absent = await RequestAsync("Display", "sim-9");

        var refused = await LinkAsync(display, "text", display, "updates");
        var waiting = await LinkAsync(absent, "text", display, "text");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var id = (await waiting.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal("sourceMissing", (await LinkStateAsync(id)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.PostAsJsonAsync("/api/links", new { source = new { property = "x" }, destination = new { componentRequestId = display, property = "text" } })).StatusCode);
    }

    [Fact]
    public async Task ALinkWhoseDestinationGoesIsOfflineAsSoonAsTheDestinationIsGone()
    {
        var sliders = await DeviceAsync("sim-1", "Slider", Value);
        var displays = await DeviceAsync("sim-2", "Display", Text, Updates);
        Guid slider = await RequestAsync("Slider", "sim-1"), display = await RequestAsync("Display", "sim-2");
        await PublishComponentAsync(sliders, "sim-1", slider, "Slider", (Value, 0.5));
        await PublishComponentAsync(displays, "sim-2", display, "Display", (Text, ""), (Updates, 0));
        var id = (await (await LinkAsync(slider, "value", display, "text")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await Wait.UntilAsync(async () => (await LinkStateAsync(id)).GetProperty("status").GetString() == "active", "the link carries the slider's value");

        // The status changes in the writer's turn that removes the destination, not when the
        // link engine gets round to it: a reader who sees the destination gone sees the link offline.
        await displays.DeleteAsync(Ect.PropertyItemId(Ect.ComponentIdForRequest(display), "text"));
        Assert.Equal("destinationOffline", (await LinkStateAsync(id)).GetProperty("status").GetString());
        await sliders.DeleteAsync(Ect.PropertyItemId(Ect.ComponentIdForRequest(slider), "value"));
        Assert.Equal("sourceMissing", (await LinkStateAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AConstantIsAppliedWhenItsDestinationAppearsAndEachTimeItReappears()
    {
        var device = await DeviceAsync("sim-1", "Display", Text, Updates);
        var display = await RequestAsync("Display", "sim-1");
        var constant = await _http.PostAsJsonAsync("/api/constants", new { destination = new { componentRequestId = display, property = "text" }, value = "hello" });
        Assert.Equal(HttpStatusCode.Created, constant.StatusCode);
        var watch = Watch(device);

        await PublishComponentAsync(device, "sim-1", display, "Display", (Text, ""), (Updates, 0));
        await watch.Settled(r => ValueOf(r, display, "text")?.GetString() == "hello");
        await RemoveComponentAsync(device, display, "text", "updates");
        await watch.Settled(r => ValueOf(r, display, "text") is null);
        await PublishComponentAsync(device, "sim-1", display, "Display", (Text, ""), (Updates, 0));

        await watch.Settled(r => ValueOf(r, display, "text")?.GetString() == "hello");
    }

    [Fact]
    public async Task AConstantIsAppliedAgainWhenItsDestinationIsAnnouncedAgainWithItsStartingValue()
    {
        // A relaunched component (or a device whose add was applied but not answered before a
        // crash) adds its property again over the existing item: an update, not an add.
        var device = await DeviceAsync("sim-1", "Display", Text, Updates);
        var display = await RequestAsync("Display", "sim-1");
        await _http.PostAsJsonAsync("/api/constants", new { destination = new { componentRequestId = display, property = "text" }, value = "hello" });
        var watch = Watch(device);
        await PublishComponentAsync(device, "sim-1", display, "Display", (Text, ""), (Updates, 0));
        await watch.Settled(r => ValueOf(r, display, "text")?.GetString() == "hello");
        var text = Ect.PropertyItemId(Ect.ComponentIdForRequest(display), "text");
        var applied = watch.Get(text)!.Revision;

        await PublishComponentAsync(device, "sim-1", display, "Display", (Text, ""), (Updates, 0));

        await watch.Settled(r => r.Get(text)!.Revision > applied && ValueOf(r, display, "text")?.GetString() == "hello");
    }

    [Fact]
    public async Task AnExportedInstallationImportsIntoAFreshServerWithNewIdentitiesAndOnlyOnce()
    {
        Guid slider = await RequestAsync("Slider", "sim-1"), counter = await RequestAsync("Counter", "sim-2");
        await LinkAsync(slider, "value", counter, "count");
        await _http.PostAsJsonAsync("/api/constants", new { destination = new { componentRequestId = counter, property = "count" }, value = 3 });
        var exported = await _http.GetFromJsonAsync<JsonElement>("/api/installation");

        using var freshStore = TestStore.Sqlite();
        using var fresh = new EquipServer(freshStore);
        using var http = fresh.NewClient();
        var first = await (await http.PostAsJsonAsync("/api/installation", exported)).Content.ReadFromJsonAsync<JsonElement>();
        var second = await (await http.PostAsJsonAsync("/api/installation", exported)).Content.ReadFromJsonAsync<JsonElement>();
        var imported = await http.GetFromJsonAsync<JsonElement>("/api/installation");

        Assert.Equal(2, first.GetProperty("requestsCreated").GetInt32());
        Assert.Equal(1, first.GetProperty("linksCreated").GetInt32());
        Assert.Equal(1, first.GetProperty("constantsCreated").GetInt32());
        Assert.Equal(0, second.GetProperty("requestsCreated").GetInt32() + second.GetProperty("linksCreated").GetInt32() + second.GetProperty("constantsCreated").GetInt32());
        var requests = imported.GetProperty("requests").EnumerateArray().ToList();
        Assert.Equal(2, requests.Count);
        Assert.DoesNotContain(requests, r => r.GetProperty("id").GetGuid() == slider || r.GetProperty("id").GetGuid() == counter);
        var newSlider = requests.Single(r => r.GetProperty("capability").GetString() == "Slider").GetProperty("id").GetGuid();
        var newCounter = requests.Single(r => r.GetProperty("capability").GetString() == "Counter").GetProperty("id").GetGuid();
        var link = imported.GetProperty("links").EnumerateArray().Single();
        Assert.Equal(newSlider, link.GetProperty("source").GetProperty("componentRequestId").GetGuid());
        Assert.Equal(newCounter, link.GetProperty("destination").GetProperty("componentRequestId").GetGuid());
        Assert.Equal(newCounter, imported.GetProperty("constants").EnumerateArray().Single().GetProperty("destination").GetProperty("componentRequestId").GetGuid());
    }

    [Theory]
    [InlineData("""{"requests":[{"capability":"Slider","containerId":"sim-1"}],"links":[{"source":{"componentRequestId":"0198c2d5-6a3e-7c11-9a52-3f0e8e2b7a10","property":"value"}}]}""", "links[0]")]
    [InlineData("""{"requests":[{"capability":"Slider"},{"containerId":"sim-1"}]}""", "requests[1]")]
    [InlineData("""{"constants":[{"value":1}]}""", "constants[0]")]
    public async Task AnInstallationWithAnIncompleteEntryIsRefusedAsAWholeWithTheEntryNamed(string document, string entry)
    {
        var response = await _http.PostAsync("/api/installation", new StringContent(document, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(entry, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Empty((await _http.GetFromJsonAsync<JsonElement>("/api/installation")).GetProperty("requests").EnumerateArray());
    }
}

public sealed class SqliteLinkEngineTests : LinkEngineTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresLinkEngineTests(PostgresFixture postgres) : LinkEngineTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync(postgres);
}
