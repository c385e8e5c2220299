using System.Text.Json.Nodes;

namespace Equip.Tests.Conformance;

/// docs/protocol.md, "Semantics and ordering": up to Equip:Values:QueuedPerItem (4) value changes
/// of an item wait together for a subscription; beyond them the newest waiting gives its place.
public abstract partial class ProtocolConformanceTests
{
    [Theory]
    [InlineData(3, new[] { 0, 1, 2 })]
    [InlineData(6, new[] { 0, 1, 2, 5 })]
    public async Task ValuesOfAnItemSetTogetherReachACompactSubscriptionAsUpToFourEntriesTheLastTheLatest(int count, int[] delivered)
    {
        var type = $"conformance.Q{Guid.NewGuid():N}";
        var (writer, _) = await RegisteredAsync();
        var id = (await writer.ResultAsync("Add", Level(type)))!["id"]!.GetValue<string>();
        var (watcher, _) = await RegisteredAsync();
        await watcher.ResultAsync("Subscribe", J($$"""{"subscriptionId":"q","pattern":{"type":"{{type}}"},"compactValues":true}"""));
        await watcher.CallbackAsync("Snapshot");

        await writer.PostAsync("SetValues", SetValues(1, [.. Enumerable.Range(10, count).Select(v => (id, (JsonNode?)v))]));
        var (revisions, _, _) = await AppliedThroughAsync(writer, 1);

        // One call is one step: its values reach the subscription together, in one Values message.
        var entries = (await watcher.CallbackAsync("Values")).Arguments![0]!["values"]!.AsArray().Select(e => e!.AsArray()).ToList();
        Assert.Equal(delivered.Select(i => (10 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)), entries.Select(e => e[2]!.ToJsonString()));
        Assert.Equal(delivered.Select(i => revisions[i]), entries.Select(e => e[1]!.GetValue<long>()));
        Assert.All(entries, e => Assert.Equal(id, e[0]!.GetValue<string>()));
    }
}
