using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Equip.Protocol;
using Equip.Tests.Conformance;
using Equip.Tests.Support;
using Microsoft.Extensions.Logging;
using static Equip.Tests.Security.Refusals;

namespace Equip.Tests.Security;

/// Hub arguments past the limits or of the wrong shape: each call is answered with a hub error
/// carrying its code (invalid or limit-reached), the connection stays open, and the refusal is
/// logged as a warning, never as an error.
public sealed class HubBadInputTests : SecurityServer
{
    [Fact]
    public async Task AReassertOfMoreItemsThanMaxReassertItemsIsRefusedWhole()
    {
        await using var hub = await RegisteredAsync(WireFormat.Json);
        var items = new JsonArray([.. Enumerable.Range(0, 10_001).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(), ["type"] = "demo.Many", ["fields"] = new JsonObject(),
        })]);

        Assert.Equal(HubErrors.LimitReached, await CodeAsync(hub, HubNames.Reassert, items));
        Assert.Empty((await hub.ResultAsync(HubNames.Query, J("""{"pattern":{"type":"demo.Many"}}""")))!.AsArray());
        AssertLoggedAsWarnings();
    }

    [Fact]
    public async Task AReassertWithANullItemIsInvalid()
    {
        await using var hub = await RegisteredAsync(WireFormat.Json);

        Assert.Equal(HubErrors.Invalid, await CodeAsync(hub, HubNames.Reassert, new JsonArray(J("""{"id":"00000000-0000-0000-0000-000000000001","type":"demo.A","fields":{}}"""), null)));
        AssertLoggedAsWarnings();
    }

    [Theory]
    [InlineData(WireFormat.Json)]
    [InlineData(WireFormat.MessagePack)]
    public async Task SubscriptionIdsAndPatternsPastTheLimitsAreRefused(WireFormat format)
    {
        await using var hub = await RegisteredAsync(format);
        var fields = new JsonObject([.. Enumerable.Range(0, 65).Select(i => KeyValuePair.Create($"f{i}", (JsonNode?)JsonValue.Create(i)))]);

        Assert.Equal(HubErrors.LimitReached, await CodeAsync(hub, HubNames.Subscribe, new JsonObject { ["subscriptionId"] = new string('s', 257), ["pattern"] = new JsonObject { ["type"] = "*" } }));
        Assert.Equal(HubErrors.Invalid, await CodeAsync(hub, HubNames.Subscribe, new JsonObject { ["subscriptionId"] = "s\u0007", ["pattern"] = new JsonObject { ["type"] = "*" } }));
        Assert.Equal(HubErrors.LimitReached, await CodeAsync(hub, HubNames.Subscribe, new JsonObject { ["subscriptionId"] = "s", ["pattern"] = new JsonObject { ["type"] = "*", ["fields"] = fields } }));
        Assert.Equal(HubErrors.LimitReached, await CodeAsync(hub, HubNames.Query, new JsonObject { ["pattern"] = new JsonObject { ["type"] = "*", ["fields"] = fields.DeepClone() } }));
        Assert.NotNull(await hub.ResultAsync(HubNames.Subscribe, new JsonObject { ["subscriptionId"] = new string('s', 256), ["pattern"] = new JsonObject { ["type"] = "*" } }));
        AssertLoggedAsWarnings();
    }

    [Theory]
    [InlineData(WireFormat.Json)]
    [InlineData(WireFormat.MessagePack)]
    public async Task FieldsPastTheLimitsAreRefusedOverEitherProtocol(WireFormat format)
    {
        await using var hub = await RegisteredAsync(format);

        Assert.Equal(HubErrors.LimitReached, await CodeAsync(hub, HubNames.Add, J($$"""{"type":"demo.Deep","fields":{{Nested(33)}}}""")));
        Assert.Equal(HubErrors.Invalid, await CodeAsync(hub, HubNames.Add, J("""{"type":"demo.Bad","fields":{"text":"a\u0000b"}}""")));
        Assert.NotNull(await hub.ResultAsync(HubNames.Add, J($$"""{"type":"demo.Deep","fields":{{Nested(32)}}}""")));
        AssertLoggedAsWarnings();
    }

    [Theory]
    [InlineData(WireFormat.Json)]
    [InlineData(WireFormat.MessagePack)]
    public async Task ARegistrationWithAControlCharacterIsInvalid(WireFormat format)
    {
        var hub = await WireHub.ConnectAsync(Server.Address, format);
        await using var _ = hub;

        Assert.Equal(HubErrors.Invalid, await CodeAsync(hub, HubNames.Register, new JsonObject { ["peerId"] = "lamp\u0000", ["incarnation"] = "i", ["name"] = "n" }));
        Assert.Equal(HubErrors.Invalid, await CodeAsync(hub, HubNames.Register, new JsonObject { ["peerId"] = "lamp", ["incarnation"] = "i", ["name"] = "n\u001b[2J" }));
        Assert.NotNull(await hub.ResultAsync(HubNames.Register, new JsonObject { ["peerId"] = "lamp", ["incarnation"] = "i", ["name"] = "n" }));
    }

    /// SignalR's JSON reader stops at 64 levels and used to close the connection of a frame nested
    /// deeper; such a call is answered as invalid now, and the connection goes on.
    [Fact]
    public async Task ACallNestedDeeperThanTheJsonReaderReadsIsInvalidAndTheConnectionStaysOpen()
    {
        await using var hub = await RegisteredAsync(WireFormat.Json);
        var deep = $$"""{"type":1,"invocationId":"deep","target":"Add","arguments":[{"type":"demo.Deep","fields":{{Nested(80)}}}]}""" + "\u001e";

        await hub.SendRawAsync(Encoding.UTF8.GetBytes(deep));

        var completion = await hub.CompletionAsync("deep");
        Assert.Equal(HubErrors.Invalid, HubErrors.CodeOf(completion.Error));
        Assert.False(hub.IsClosed);
        Assert.NotNull(await hub.ResultAsync(HubNames.Add, J("""{"type":"demo.After","fields":{}}""")));
        AssertLoggedAsWarnings();
    }

    private async Task<WireHub> RegisteredAsync(WireFormat format)
    {
        var hub = await WireHub.ConnectAsync(Server.Address, format);
        await hub.ResultAsync(HubNames.Register, new JsonObject { ["peerId"] = $"peer-{format}", ["incarnation"] = "inc-1", ["name"] = "peer" });
        return hub;
    }

    private void AssertLoggedAsWarnings()
    {
        Assert.Contains(Server.Logs.Entries, e => e is { Level: LogLevel.Warning, EventName: "CallRefused" });
        Assert.Empty(Server.Logs.AtLeast(LogLevel.Error));
    }

    private static JsonNode J(string json) => JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 128 })!;
}
