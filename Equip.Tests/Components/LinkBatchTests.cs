using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Domain.Dataspace;
using Equip.Protocol;
using Equip.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Equip.Tests.Support.PublishedComponents;

namespace Equip.Tests.Components;

/// A link carries the values its source took in one writer turn, not only the last: up to
/// Equip:Values:QueuedPerItem of them (the last ones), each a revision of the destination, and a
/// subscriber that keeps up hears each (docs/components.md, Links).
public abstract class LinkBatchTests : IAsyncLifetime
{
    private static readonly PropertySchema Value = new("value", "number", false, Json(0));
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

    [Theory]
    [InlineData(3, new long[] { 2, 3, 4 })]
    [InlineData(6, new long[] { 4, 5, 6, 7 })]
    public async Task ValuesSetInOneTurnGoAlongTheLinkTogetherTheLastFourOfThem(int values, long[] heardAfterTheFirst)
    {
        var sliders = await DeviceAsync("sim-1", "Slider", Value);
        var counters = await DeviceAsync("sim-2", "Counter", Count);
        Guid slider = await RequestAsync("Slider", "sim-1"), counter = await RequestAsync("Counter", "sim-2");
        await PublishComponentAsync(sliders, "sim-1", slider, "Slider", (Value, 1.0));
        await PublishComponentAsync(counters, "sim-2", counter, "Counter", (Count, 0));
        var countItem = Ect.PropertyItemId(counter.ToString(), "count");
        var watch = counters.Subscribe(new WirePattern { Type = Ect.Property });
        await _http.PostAsJsonAsync("/api/links", new
        {
            source = new { componentRequestId = slider, property = "value" },
            destination = new { componentRequestId = counter, property = "count" },
        });
        await watch.Settled(r => r.Get(countItem)?.Fields.GetProperty("value").GetInt64() == 1);
        var heard = new List<(long Revision, long Value)>();
        watch.Changed += change =>
        {
            if (change.Item.Id == countItem)
            {
                lock (heard)
                {
                    heard.Add((change.Item.Revision, change.Item.Fields.GetProperty("value").GetInt64()));
                }
            }
        };

        // One SetValues: one writer turn, the slider's values 2, 3, ... in it.
        var sliderItem = Ect.PropertyItemId(slider.ToString(), "value");
        var writes = Enumerable.Range(2, values).Select(n => new ValueWrite(sliderItem, Json((double)n))).ToList();
        await _server.Services.GetRequiredService<IDataspace>().SetValuesAsync(new SetValues(writes));

        var last = heardAfterTheFirst[^1];
        await watch.Settled(r => r.Get(countItem)?.Fields.GetProperty("value").GetInt64() == last);
        lock (heard)
        {
            Assert.Equal(heardAfterTheFirst, heard.Select(h => h.Value));
            Assert.Equal(heard.Select(h => h.Revision).Order(), heard.Select(h => h.Revision));
            Assert.Equal(heard.Count, heard.Select(h => h.Revision).Distinct().Count());
        }
    }

    /// Values carried along a link pass on only the latest: a burst into a cycle of links settles in
    /// its turn, the value coming back to a source that holds it.
    [Fact]
    public async Task ABurstIntoACycleOfLinksSettlesInItsTurn()
    {
        var device = await DeviceAsync("sim-1", "Counter", Count);
        Guid a = await RequestAsync("Counter", "sim-1"), b = await RequestAsync("Counter", "sim-1");
        await PublishComponentAsync(device, "sim-1", a, "Counter", (Count, 1));
        await PublishComponentAsync(device, "sim-1", b, "Counter", (Count, 1));
        foreach (var (from, to) in new[] { (a, b), (b, a) })
        {
            (await _http.PostAsJsonAsync("/api/links", new
            {
                source = new { componentRequestId = from, property = "count" },
                destination = new { componentRequestId = to, property = "count" },
            })).EnsureSuccessStatusCode();
        }
        Guid aItem = Ect.PropertyItemId(a.ToString(), "count"), bItem = Ect.PropertyItemId(b.ToString(), "count");

        var writes = Enumerable.Range(2, 6).Select(n => new ValueWrite(aItem, Json(n))).ToList();
        var outcome = await _server.Services.GetRequiredService<IDataspace>().SetValuesAsync(new SetValues(writes));

        // a's six values, then b's four, in the same turn; a was not written again.
        var last = outcome.Revisions[^1];
        var atA = await _http.GetFromJsonAsync<JsonElement>($"/api/items/{aItem}");
        var atB = await _http.GetFromJsonAsync<JsonElement>($"/api/items/{bItem}");
        Assert.Equal((last, 7), (atA.GetProperty("revision").GetInt64(), atA.GetProperty("fields").GetProperty("value").GetInt32()));
        Assert.Equal((last + 4, 7), (atB.GetProperty("revision").GetInt64(), atB.GetProperty("fields").GetProperty("value").GetInt32()));
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
}

public sealed class SqliteLinkBatchTests : LinkBatchTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresLinkBatchTests(PostgresFixture postgres) : LinkBatchTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync(postgres);
}
