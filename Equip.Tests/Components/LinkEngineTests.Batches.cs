using System.Net.Http.Json;
using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Protocol;
using Equip.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Equip.Tests.Support.PublishedComponents;

namespace Equip.Tests.Components;

/// A link carries the values its source took in one writer turn, not only the last: up to
/// Equip:Values:QueuedPerItem of them (the last ones), each a revision of the destination, and a
/// subscriber that keeps up hears each (docs/components.md, Links).
public abstract partial class LinkEngineTests
{
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
        var watch = Watch(counters);
        await LinkAsync(slider, "value", counter, "count");
        await watch.Settled(r => ValueOf(r, counter, "count")?.GetInt64() == 1);
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
        await SetValuesAsync([.. Enumerable.Range(2, values).Select(n => new ValueWrite(sliderItem, Json((double)n)))]);

        await watch.Settled(r => ValueOf(r, counter, "count")?.GetInt64() == heardAfterTheFirst[^1]);
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
        var (_, a, b) = await CycleOfTwoCountersAsync();
        Guid aItem = Ect.PropertyItemId(a.ToString(), "count"), bItem = Ect.PropertyItemId(b.ToString(), "count");

        var outcome = await SetValuesAsync([.. Enumerable.Range(2, 6).Select(n => new ValueWrite(aItem, Json(n)))]);

        // a's six values, then b's last four, in the same turn; a was not written again.
        var last = outcome.Revisions[^1];
        var atA = await _http.GetFromJsonAsync<JsonElement>($"/api/items/{aItem}");
        var atB = await _http.GetFromJsonAsync<JsonElement>($"/api/items/{bItem}");
        Assert.Equal((last, 7), (atA.GetProperty("revision").GetInt64(), atA.GetProperty("fields").GetProperty("value").GetInt32()));
        Assert.Equal((last + 4, 7), (atB.GetProperty("revision").GetInt64(), atB.GetProperty("fields").GetProperty("value").GetInt32()));
    }

    /// Values set by the server itself (as a link's are), in one call: one writer turn.
    private Task<ValuesOutcome> SetValuesAsync(IReadOnlyList<ValueWrite> values) =>
        _server.Services.GetRequiredService<IDataspace>().SetValuesAsync(new SetValues(values));
}
