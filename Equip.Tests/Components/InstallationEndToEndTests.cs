using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Testing;
using Equip.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Equip.Tests.Components;

/// The whole component layer with real device simulator processes: the server places requests,
/// the simulators launch them, links and constants carry values, and failures are recovered.
public abstract class InstallationEndToEndTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<DeviceProcess> _devices = [];
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

    private DeviceProcess Simulator(string containerId, params string[] arguments)
    {
        var device = DeviceProcess.Start(_server.Address, containerId, arguments);
        _devices.Add(device);
        return device;
    }

    private async Task<Guid> RequestAsync(object body)
    {
        var response = await _http.PostAsJsonAsync("/api/component-requests", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<JsonElement> UntilRequestAsync(Guid id, Func<JsonElement, bool> condition, string what)
    {
        JsonElement state = default;
        await Wait.UntilAsync(async () => condition(state = await _http.GetFromJsonAsync<JsonElement>($"/api/component-requests/{id}")), what);
        return state;
    }

    private Task<JsonElement> RunningAsync(Guid id, string? on = null) =>
        UntilRequestAsync(id, r => r.GetProperty("status").GetString() == "running" && (on is null || r.GetProperty("assignedContainerId").GetString() == on), $"request {id} runs{(on is null ? "" : " on " + on)}");

    private Task UntilPropertyAsync(Guid component, string name, Func<JsonElement, bool> condition) =>
        ComponentRequests.UntilPropertyAsync(_http, component, name, condition);

    [Fact]
    public async Task ASliderLinkedToADisplayOnAnotherSimulatorShowsTheValuesSetThroughRestAndADeletedRequestStops()
    {
        Simulator("sim-1");
        var displays = Simulator("sim-2");
        var slider = await RequestAsync(new { capability = "Slider", containerId = "sim-1" });
        var display = await RequestAsync(new { capability = "Display", containerId = "sim-2" });
        await RunningAsync(slider);
        await RunningAsync(display);

        var link = await _http.PostAsJsonAsync("/api/links", new
        {
            source = new { componentRequestId = slider, property = "value" },
            destination = new { componentRequestId = display, property = "text" },
        });
        Assert.Equal(HttpStatusCode.Created, link.StatusCode);
        await UntilPropertyAsync(slider, "value", _ => true);
        var set = await _http.PutAsJsonAsync($"/api/components/{slider}/properties/value", new { value = 0.75 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        await UntilPropertyAsync(display, "text", v => v.GetString() == "0.75");
        await UntilPropertyAsync(display, "updates", v => v.GetInt64() >= 1);
        var linkId = (await link.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal("active", (await _http.GetFromJsonAsync<JsonElement>($"/api/links/{linkId}")).GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync($"/api/component-requests/{display}")).StatusCode);
        await displays.WaitForOutputAsync($"stopped Display {display}").WaitAsync(Wait.Timeout);
        await Wait.UntilAsync(async () => (await _http.GetAsync($"/api/components/{display}")).StatusCode == HttpStatusCode.NotFound, "the display is gone");
    }

    [Fact]
    public async Task AConstantIsAppliedAgainWhenItsComponentIsRelaunchedAfterTheSimulatorRestarts()
    {
        var first = Simulator("sim-1");
        var display = await RequestAsync(new { capability = "Display", containerId = "sim-1" });
        await RunningAsync(display);
        await _http.PostAsJsonAsync("/api/constants", new { destination = new { componentRequestId = display, property = "text" }, value = "hello" });
        await UntilPropertyAsync(display, "text", v => v.GetString() == "hello");

        await first.DisposeAsync(); // kill -9
        _devices.Remove(first);
        var restarted = Simulator("sim-1");
        await restarted.WaitForOutputAsync($"launched Display {display}").WaitAsync(Wait.Timeout);

        await UntilPropertyAsync(display, "text", v => v.GetString() == "hello");
        await RunningAsync(display, on: "sim-1");
    }

    [Fact]
    public async Task APendingRequestIsPlacedWhenItsContainerArrives()
    {
        var counter = await RequestAsync(new { capability = "Counter", containerId = "sim-3", initialValues = new { count = 4 } });
        var pending = await UntilRequestAsync(counter, r => r.GetProperty("reason").GetString()?.Contains("not connected") == true, "the request waits");
        Assert.Equal("pending", pending.GetProperty("status").GetString());

        Simulator("sim-3");

        await RunningAsync(counter, on: "sim-3");
        await UntilPropertyAsync(counter, "doubled", v => v.GetInt64() == 8);
    }

    [Fact]
    public async Task ASelectorRequestMovesToAnotherMatchingSimulatorWhenItsOwnDies()
    {
        var hallA = Simulator("hall-a", "--label", "room=hall");
        var hallB = Simulator("hall-b", "--label", "room=hall");
        Simulator("kitchen", "--label", "room=kitchen");
        await Wait.UntilAsync(async () => (await _http.GetFromJsonAsync<JsonElement[]>("/api/containers"))!.Length == 3, "three containers are up");
        var counter = await RequestAsync(new { capability = "Counter", selector = new { labels = new { room = "hall" } }, initialValues = new { count = 2 } });
        var running = await RunningAsync(counter);
        var first = running.GetProperty("assignedContainerId").GetString()!;
        var (dying, other) = first == "hall-a" ? (hallA, "hall-b") : (hallB, "hall-a");

        await dying.DisposeAsync(); // kill -9
        _devices.Remove(dying);
        await Wait.UntilAsync(async () => (await _http.GetFromJsonAsync<JsonElement[]>("/api/peers"))!.Any(p => p.GetProperty("peerId").GetString() == first && p.GetProperty("state").GetString() == "reconnecting"), "the dead container is reconnecting");
        _time.Advance(TimeSpan.FromSeconds(11));

        await RunningAsync(counter, on: other);
        await UntilPropertyAsync(counter, "doubled", v => v.GetInt64() == 4);
    }
}

public sealed class SqliteInstallationEndToEndTests : InstallationEndToEndTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresInstallationEndToEndTests(PostgresFixture postgres) : InstallationEndToEndTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync(postgres);
}
