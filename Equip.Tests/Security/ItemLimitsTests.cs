using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Tests.Support;
using static Equip.Tests.Security.Refusals;

namespace Equip.Tests.Security;

/// The configurable item limits (Equip:Limits:Items), enforced in the write path: an item at a
/// limit is taken, one past it refused with 400 "Limit reached" naming the limit, and nothing is
/// stored. The hub's side is in HubBadInputTests.
public sealed class ItemLimitsTests : SecurityServer
{
    [Fact]
    public async Task FieldsNestedDeeperThanMaxFieldsDepthAreRefused()
    {
        using var admin = Server.NewClient();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJsonAsync("/api/items", $$$"""{"type":"demo.Deep","fields":{{{Nested(32)}}}}""")).StatusCode);

        await LimitReachedAsync(await admin.PostJsonAsync("/api/items", $$$"""{"type":"demo.Deep","fields":{{{Nested(33)}}}}"""), "MaxFieldsDepth");
        await LimitReachedAsync(await admin.PostJsonAsync("/api/items", $$$"""{"type":"demo.Deep","fields":{"list":{{{new string('[', 32)}}}{{{new string(']', 32)}}}}}"""), "MaxFieldsDepth");
        Assert.Single(await admin.GetFromJsonAsync<JsonElement[]>("/api/items?type=demo.Deep") ?? []);
    }

    [Fact]
    public async Task FieldsWithMoreValuesThanMaxFieldsNodesAreRefused()
    {
        using var admin = Server.NewClient();
        // The fields object, the list, and the list's values: 10,000 in all.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJsonAsync("/api/items", List(9_998))).StatusCode);

        await LimitReachedAsync(await admin.PostJsonAsync("/api/items", List(9_999)), "MaxFieldsNodes");

        static string List(int count) => $$$"""{"type":"demo.Wide","fields":{"list":[{{{string.Join(",", Enumerable.Repeat("0", count))}}}]}}""";
    }

    [Fact]
    public async Task FieldsLargerThanMaxFieldsBytesAreRefusedOnAddAndUpdate()
    {
        using var admin = Server.NewClient();
        // {"s":"…"} is 8 bytes around the text.
        var made = await admin.PostJsonAsync("/api/items", Text(256 * 1024 - 8));
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var item = await made.Content.ReadFromJsonAsync<JsonElement>();
        var id = item.GetProperty("id").GetGuid();

        await LimitReachedAsync(await admin.PostJsonAsync("/api/items", Text(256 * 1024 - 7)), "MaxFieldsBytes");
        await LimitReachedAsync(await admin.PutJsonAsync($"/api/items/{id}", Text(256 * 1024 - 7)), "MaxFieldsBytes");
        Assert.Equal(item.GetProperty("revision").GetInt64(), (await admin.ItemAsync(id)).GetProperty("revision").GetInt64());

        static string Text(int length) => $$$"""{"type":"demo.Big","fields":{"s":"{{{new string('x', length)}}}"}}""";
    }

    [Fact]
    public async Task APropertyNameLongerThanMaxFieldNameLengthIsRefusedAtAnyDepth()
    {
        using var admin = Server.NewClient();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJsonAsync("/api/items", Named(256, nested: true))).StatusCode);

        await LimitReachedAsync(await admin.PostJsonAsync("/api/items", Named(257, nested: true)), "MaxFieldNameLength");
        await LimitReachedAsync(await admin.PostJsonAsync("/api/items", Named(257, nested: false)), "MaxFieldNameLength");

        static string Named(int length, bool nested) =>
            $$"""{"type":"demo.Named","fields":{{(nested ? "{\"o\":" : "")}}{"{{new string('n', length)}}":1}{{(nested ? "}" : "")}}}""";
    }

    [Fact]
    public async Task AQueryWithMoreFieldEqualitiesThanMaxPatternFieldsIsRefused()
    {
        using var admin = Server.NewClient();
        string Query(int count) => "/api/items?" + string.Join("&", Enumerable.Range(0, count).Select(i => $"field.f{i}={i}"));

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(Query(64))).StatusCode);
        await LimitReachedAsync(await admin.GetAsync(Query(65)), "MaxPatternFields");
    }

    [Fact]
    public async Task TheLimitsAreConfigurable()
    {
        using var store = TestStore.Sqlite().With("Equip:Limits:Items:MaxFieldsDepth", "2").With("Equip:Limits:Items:MaxFieldsBytes", "64");
        using var server = new EquipServer(store);
        using var admin = server.NewClient();

        Assert.Equal(HttpStatusCode.Created, (await admin.PostJsonAsync("/api/items", $$$"""{"type":"demo.Small","fields":{{{Nested(2)}}}}""")).StatusCode);
        await LimitReachedAsync(await admin.PostJsonAsync("/api/items", $$$"""{"type":"demo.Small","fields":{{{Nested(3)}}}}"""), "MaxFieldsDepth");
        await LimitReachedAsync(await admin.PostJsonAsync("/api/items", $$$"""{"type":"demo.Small","fields":{"s":"{{{new string('x', 60)}}}"}}"""), "MaxFieldsBytes");
    }

    [Fact]
    public void ALimitOutOfItsRangeStopsTheServerAtStartUp()
    {
        // The JSON readers stop at 64 levels, counting what is around the fields.
        using var store = TestStore.Sqlite().With("Equip:Limits:Items:MaxFieldsDepth", "100");
        var refused = Assert.ThrowsAny<Exception>(() => new EquipServer(store).Dispose());
        Assert.Contains("MaxFieldsDepth", refused.ToString());
    }
}
