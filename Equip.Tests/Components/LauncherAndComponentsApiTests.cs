using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Protocol;
using Equip.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Equip.Tests.Components;

/// The server's side of the component layer: the launcher and the REST API, with devices played by
/// Equip.Client peers that publish the container items themselves.
public abstract class LauncherAndComponentsApiTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<EquipClient> _devices = [];
    private EquipServer _server = null!;
    private HttpClient _http = null!;

    protected abstract Task<TestStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        _server = new EquipServer(_store, _time);
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

    private static readonly PropertySchema CountSchema = new("count", "integer", false, PublishedComponents.Json(0));
    private static readonly PropertySchema DoubledSchema = new("doubled", "integer", true, PublishedComponents.Json(0));

    private async Task<EquipClient> ContainerAsync(string containerId, IReadOnlyDictionary<string, string>? labels, string capability)
    {
        var device = Devices.Start(_server.Address, containerId);
        _devices.Add(device);
        await PublishedComponents.PublishContainerAsync(device, containerId, labels, capability, CountSchema, DoubledSchema);
        return device;
    }

    private static Task LaunchAsync(EquipClient device, string containerId, Guid requestId, long count) =>
        PublishedComponents.PublishComponentAsync(device, containerId, requestId, "Counter", (CountSchema, count), (DoubledSchema, count * 2));

    private async Task<Guid> RequestAsync(object body)
    {
        var response = await _http.PostAsJsonAsync("/api/component-requests", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<JsonElement> RequestStateAsync(Guid id) => await _http.GetFromJsonAsync<JsonElement>($"/api/component-requests/{id}");

    private async Task<JsonElement> WaitForRequestAsync(Guid id, Func<JsonElement, bool> condition, string what)
    {
        JsonElement state = default;
        await Wait.UntilAsync(async () => condition(state = await RequestStateAsync(id)), what);
        return state;
    }

    [Fact]
    public async Task ARequestForAnAbsentContainerIsPendingWithTheReasonAndRunsOnceTheContainerLaunchesIt()
    {
        var id = await RequestAsync(new { capability = "Counter", containerId = "sim-1", initialValues = new { count = 3 } });
        var pending = await WaitForRequestAsync(id, r => r.GetProperty("reason").GetString()?.Contains("not connected") == true, "the request waits for its container");
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.Equal("sim-1", pending.GetProperty("assignedContainerId").GetString());

        var device = await ContainerAsync("sim-1", null, "Counter");
        await WaitForRequestAsync(id, r => r.GetProperty("reason").GetString()?.Contains("launching") == true, "the container is asked to launch it");
        await LaunchAsync(device, "sim-1", id, 3);

        var running = await WaitForRequestAsync(id, r => r.GetProperty("status").GetString() == "running", "the request runs");
        Assert.Equal(id.ToString(), running.GetProperty("componentId").GetString());
        Assert.Equal(JsonValueKind.Null, running.GetProperty("reason").ValueKind);
    }

    [Fact]
    public async Task ARequestForACapabilityItsContainerDoesNotExportStaysPending()
    {
        await ContainerAsync("sim-1", null, "Slider");

        var id = await RequestAsync(new { capability = "Counter", containerId = "sim-1" });

        var pending = await WaitForRequestAsync(id, r => r.GetProperty("reason").GetString()?.Contains("does not export") == true, "the request is refused a place");
        Assert.Equal("pending", pending.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ASelectorRequestPicksAMatchingContainerAndMovesWhenThatContainerIsGone()
    {
        await ContainerAsync("kitchen-1", new Dictionary<string, string> { ["room"] = "kitchen" }, "Counter");
        var hall = await ContainerAsync("hall-1", new Dictionary<string, string> { ["room"] = "hall" }, "Counter");

        var id = await RequestAsync(new { capability = "Counter", selector = new { labels = new { room = "hall" } } });
        await WaitForRequestAsync(id, r => r.GetProperty("assignedContainerId").GetString() == "hall-1", "the request goes to the hall");

        await hall.DisposeAsync();
        _devices.Remove(hall);
        await ContainerAsync("hall-2", new Dictionary<string, string> { ["room"] = "hall" }, "Counter");
        await Wait.UntilAsync(async () => (await _http.GetFromJsonAsync<JsonElement[]>("/api/peers"))!.Any(p => p.GetProperty("peerId").GetString() == "hall-1" && p.GetProperty("state").GetString() == "reconnecting"), "hall-1 is reconnecting");
        Assert.Equal("hall-1", (await RequestStateAsync(id)).GetProperty("assignedContainerId").GetString());
        _time.Advance(TimeSpan.FromSeconds(11));

        await WaitForRequestAsync(id, r => r.GetProperty("assignedContainerId").GetString() == "hall-2", "the request moves to the other hall container");
    }

    [Fact]
    public async Task SettingAPropertyUpdatesItsItemRemembersTheValueAndRefusesWhatCannotBeSet()
    {
        var device = await ContainerAsync("sim-1", null, "Counter");
        var id = await RequestAsync(new { capability = "Counter", containerId = "sim-1" });
        await LaunchAsync(device, "sim-1", id, 0);
        await WaitForRequestAsync(id, r => r.GetProperty("status").GetString() == "running", "the request runs");
        var replica = device.Subscribe(new WirePattern { Type = Ect.Property, Responsible = "sim-1" });

        var set = await _http.PutAsJsonAsync($"/api/components/{id}/properties/count", new { value = 21.0 });

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        await replica.Settled(r => r.Get(Ect.PropertyItemId(id.ToString(), "count")) is { } p && p.Fields.GetProperty("value").GetInt64() == 21);
        Assert.Equal(21, (await RequestStateAsync(id)).GetProperty("lastValues").GetProperty("count").GetInt64());
        Assert.Equal(HttpStatusCode.Conflict, (await _http.PutAsJsonAsync($"/api/components/{id}/properties/doubled", new { value = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.PutAsJsonAsync($"/api/components/{id}/properties/count", new { value = 2.5 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.PutAsJsonAsync($"/api/components/{id}/properties/count", new { value = "three" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.PutAsJsonAsync($"/api/components/{id}/properties/missing", new { value = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.PutAsJsonAsync($"/api/components/{Guid.NewGuid()}/properties/count", new { value = 1 })).StatusCode);
    }

    /// A container written in another language need not compute Equip.Client's item ids: the
    /// server finds its components and properties by their fields.
    [Fact]
    public async Task APropertyOfAComponentPublishedUnderItemIdsOfTheContainersOwnChoosingCanBeSet()
    {
        var device = await ContainerAsync("js-1", null, "Counter");
        var id = await RequestAsync(new { capability = "Counter", containerId = "js-1" });
        var componentId = Ect.ComponentIdForRequest(id);
        var count = Guid.NewGuid();
        await device.AddAsync(new AddRequest { Id = Guid.NewGuid(), Type = Ect.Component, ProcessBound = true, Fields = EctJson.Write(new ComponentFields(componentId, "js-1", "Counter", id, "Counter")) });
        await device.AddAsync(new AddRequest { Id = count, Type = Ect.Property, ProcessBound = true, Fields = EctJson.Write(new PropertyFields(componentId, "count", "integer", false, PublishedComponents.Json(0))) });
        await WaitForRequestAsync(id, r => r.GetProperty("status").GetString() == "running", "the request runs");

        var set = await _http.PutAsJsonAsync($"/api/components/{id}/properties/count", new { value = 7 });

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(7, (await _http.GetFromJsonAsync<JsonElement>($"/api/items/{count}")).GetProperty("fields").GetProperty("value").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.PutAsJsonAsync($"/api/components/{id}/properties/missing", new { value = 1 })).StatusCode);
    }

    [Fact]
    public async Task AComponentAContainerMadeOnItsOwnIsReachedByItsIdWithTheSlashEncoded()
    {
        var device = await ContainerAsync("js-2", null, "Counter");
        var componentId = Ect.ComponentIdForLocal("js-2", "lamp");
        var count = Guid.NewGuid();
        await device.AddAsync(new AddRequest { Id = Guid.NewGuid(), Type = Ect.Component, ProcessBound = true, Fields = EctJson.Write(new ComponentFields(componentId, "js-2", "Counter", null, "lamp")) });
        await device.AddAsync(new AddRequest { Id = count, Type = Ect.Property, ProcessBound = true, Fields = EctJson.Write(new PropertyFields(componentId, "count", "integer", false, PublishedComponents.Json(0))) });

        var component = await _http.GetFromJsonAsync<JsonElement>("/api/components/js-2%2Flamp");
        var set = await _http.PutAsJsonAsync("/api/components/js-2%2Flamp/properties/count", new { value = 3 });

        Assert.Equal(componentId, component.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(3, (await _http.GetFromJsonAsync<JsonElement>($"/api/items/{count}")).GetProperty("fields").GetProperty("value").GetInt64());
    }

    [Fact]
    public async Task TheListsShowContainersCapabilitiesAndComponentsWithTheirProperties()
    {
        var device = await ContainerAsync("sim-1", new Dictionary<string, string> { ["room"] = "hall" }, "Counter");
        var id = await RequestAsync(new { capability = "Counter", containerId = "sim-1" });
        await LaunchAsync(device, "sim-1", id, 4);

        await Wait.UntilAsync(async () => (await _http.GetFromJsonAsync<JsonElement[]>("/api/components"))!.Length == 1, "the component is listed");
        var component = (await _http.GetFromJsonAsync<JsonElement[]>("/api/components"))!.Single();
        var containers = (await _http.GetFromJsonAsync<JsonElement[]>("/api/containers"))!;
        var capabilities = (await _http.GetFromJsonAsync<JsonElement[]>("/api/capabilities"))!;

        Assert.Equal(["id", "containerId", "capability", "componentRequestId", "name", "properties"], component.EnumerateObject().Select(p => p.Name));
        Assert.Equal(id.ToString(), component.GetProperty("id").GetString());
        var count = component.GetProperty("properties").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "count");
        Assert.Equal(["name", "type", "value", "readOnly"], count.EnumerateObject().Select(p => p.Name));
        Assert.Equal(4, count.GetProperty("value").GetInt64());
        Assert.Equal("hall", containers.Single().GetProperty("labels").GetProperty("room").GetString());
        Assert.Equal(["Counter"], containers.Single().GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(2, capabilities.Single().GetProperty("properties").GetArrayLength());
    }

    [Fact]
    public async Task BadComponentRequestsAnswer400()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.PostAsJsonAsync("/api/component-requests", new { containerId = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.PostAsJsonAsync("/api/component-requests", new { capability = "Counter", containerId = "x", selector = new { host = "h" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"/api/component-requests/{Guid.NewGuid()}")).StatusCode);
        Assert.Empty((await _http.GetFromJsonAsync<JsonElement[]>("/api/component-requests"))!);
    }
}

public sealed class SqliteLauncherAndComponentsApiTests : LauncherAndComponentsApiTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresLauncherAndComponentsApiTests(PostgresFixture postgres) : LauncherAndComponentsApiTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync(postgres);
}
