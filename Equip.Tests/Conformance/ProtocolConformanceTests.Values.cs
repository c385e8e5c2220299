using System.Text.Json.Nodes;
using Equip.Protocol;
using Equip.Tests.Support;

namespace Equip.Tests.Conformance;

/// docs/protocol.md, "The value lane": SetValues, ValuesApplied and Values at the wire level.
public abstract partial class ProtocolConformanceTests
{
    private static JsonObject Level(string type, string name = "level") =>
        new() { ["type"] = type, ["fields"] = new JsonObject { ["name"] = name, ["value"] = 0 }, ["processBound"] = true };

    private static JsonNode SetValues(long sequence, params (string Id, JsonNode? Value)[] values) =>
        new JsonObject { ["sequence"] = sequence, ["values"] = new JsonArray([.. values.Select(v => (JsonNode)new JsonArray(JsonValue.Create(v.Id), v.Value))]) };

    /// Callbacks until a ValuesApplied covers the sequence; every ValuesApplied on the way, merged.
    private static async Task<(List<long> Revisions, List<JsonNode> Refused, long Sequence)> AppliedThroughAsync(WireHub hub, long sequence)
    {
        var revisions = new List<long>();
        var refused = new List<JsonNode>();
        while (true)
        {
            var message = await hub.CallbackAsync("ValuesApplied");
            var applied = message.Arguments![0]!;
            revisions.AddRange(applied["revisions"]!.AsArray().Select(r => r!.GetValue<long>()));
            refused.AddRange(applied["refused"]!.AsArray().Select(r => r!));
            if (applied["sequence"]!.GetValue<long>() >= sequence)
            {
                return (revisions, refused, applied["sequence"]!.GetValue<long>());
            }
        }
    }

    [Fact]
    public async Task SetValuesSentWithoutAnInvocationIdIsAnsweredByCumulativeValuesAppliedWithARevisionPerValue()
    {
        var (hub, _) = await RegisteredAsync();
        var item = (await hub.ResultAsync("Add", Level($"conformance.V{Guid.NewGuid():N}")))!;
        var id = item["id"]!.GetValue<string>();
        var missing = Guid.NewGuid().ToString();

        await hub.PostAsync("SetValues", SetValues(1, (id, 1), (id, 2)));
        await hub.PostAsync("SetValues", SetValues(2, (id, "three"), (missing, 4)));
        var (revisions, refused, sequence) = await AppliedThroughAsync(hub, 2);

        Assert.Equal(2, sequence);
        Assert.Equal(4, revisions.Count);
        Assert.Equal(0, revisions[3]);
        Assert.True(revisions[0] > item["revision"]!.GetValue<long>());
        Assert.True(revisions[0] < revisions[1] && revisions[1] < revisions[2]);
        var refusal = Assert.Single(refused);
        Assert.Equal((2L, 1L, "not-found"), (refusal["sequence"]!.GetValue<long>(), refusal["index"]!.GetValue<long>(), refusal["code"]!.GetValue<string>()));
        Assert.Contains(missing, refusal["message"]!.GetValue<string>());
        var stored = (await hub.ResultAsync("Get", JsonValue.Create(id)))!;
        Assert.Equal("three", stored["fields"]!["value"]!.GetValue<string>());
        Assert.Equal("level", stored["fields"]!["name"]!.GetValue<string>());
        Assert.Equal(revisions[2], stored["revision"]!.GetValue<long>());
    }

    [Fact]
    public async Task ValuesReachACompactSubscriptionAsEntriesAndAnotherAsUpdatedEventsButNotTheirSender()
    {
        var type = $"conformance.W{Guid.NewGuid():N}";
        var (writer, writerId) = await RegisteredAsync();
        var item = (await writer.ResultAsync("Add", Level(type)))!;
        var id = item["id"]!.GetValue<string>();
        var (compact, _) = await RegisteredAsync();
        var (whole, _) = await RegisteredAsync();
        await compact.ResultAsync("Subscribe", J($$"""{"subscriptionId":"c","pattern":{"type":"{{type}}"},"compactValues":true}"""));
        await whole.ResultAsync("Subscribe", J($$$"""{"subscriptionId":"w","pattern":{"type":"{{{type}}}"}}"""));
        await writer.ResultAsync("Subscribe", J($$$"""{"subscriptionId":"own","pattern":{"type":"{{{type}}}","responsible":"{{{writerId}}}"},"compactValues":true}"""));
        await writer.ResultAsync("Subscribe", J($$"""{"subscriptionId":"echo","pattern":{"type":"{{type}}"},"compactValues":true,"ownValues":true}"""));
        foreach (var hub in new[] { compact, whole, writer, writer })
        {
            Assert.Equal("Snapshot", (await hub.CallbackAsync()).Target);
        }

        await writer.PostAsync("SetValues", SetValues(1, (id, 0.5)));
        var (revisions, _, _) = await AppliedThroughAsync(writer, 1);
        var marker = (await writer.ResultAsync("Add", Level(type, "marker")))!;

        var values = await compact.CallbackAsync();
        Assert.Equal("Values", values.Target);
        Assert.Equal("c", values.Arguments![0]!["subscriptionId"]!.GetValue<string>());
        var entry = Assert.Single(values.Arguments![0]!["values"]!.AsArray())!.AsArray();
        Assert.Equal(3, entry.Count);
        Assert.Equal((id, revisions[0], 0.5), (entry[0]!.GetValue<string>(), entry[1]!.GetValue<long>(), entry[2]!.GetValue<double>()));
        var changes = await whole.CallbackAsync();
        Assert.Equal("Changes", changes.Target);
        var updated = Assert.Single(changes.Arguments![0]!["events"]!.AsArray())!;
        Assert.Equal(("updated", revisions[0], 0.5), (updated["kind"]!.GetValue<string>(), updated["revision"]!.GetValue<long>(), updated["item"]!["fields"]!["value"]!.GetValue<double>()));
        Assert.Equal("level", updated["item"]!["fields"]!["name"]!.GetValue<string>());
        // The writer's own value comes back only to the subscription that asked for it; the next
        // thing its other subscription receives is the marker.
        var received = new Dictionary<string, List<string>> { ["own"] = [], ["echo"] = [] };
        while (received["own"].Count == 0 || received["echo"].Count < 2)
        {
            var message = await writer.CallbackAsync();
            var subscription = message.Arguments![0]!["subscriptionId"]!.GetValue<string>();
            received[subscription].Add(message.Target!);
        }
        Assert.Equal(["Changes"], received["own"]);
        Assert.Equal(["Values", "Changes"], received["echo"]);
        Assert.True(marker["revision"]!.GetValue<long>() > revisions[0]);
    }

    [Fact]
    public async Task AValueOfAnotherPeersItemIsRefusedAloneAndEveryValueBeforeRegister()
    {
        var (owner, _) = await RegisteredAsync();
        var item = (await owner.ResultAsync("Add", Level($"conformance.X{Guid.NewGuid():N}")))!;
        var id = item["id"]!.GetValue<string>();
        var (other, _) = await RegisteredAsync();
        var unregistered = await ConnectAsync();

        await other.PostAsync("SetValues", SetValues(7, (id, 1)));
        await unregistered.PostAsync("SetValues", SetValues(1, (id, 1), (id, 2)));
        var (revisions, refused, _) = await AppliedThroughAsync(other, 7);
        var (none, notRegistered, _) = await AppliedThroughAsync(unregistered, 1);

        Assert.Equal([0L], revisions);
        Assert.Equal((7L, 0L, "not-responsible"), (refused[0]["sequence"]!.GetValue<long>(), refused[0]["index"]!.GetValue<long>(), refused[0]["code"]!.GetValue<string>()));
        Assert.Equal([0L, 0L], none);
        var whole = Assert.Single(notRegistered);
        Assert.Null(whole["index"]);
        Assert.Equal(HubErrors.NotRegistered, whole["code"]!.GetValue<string>());
        Assert.Equal(0L, (await owner.ResultAsync("Get", JsonValue.Create(id)))!["fields"]!["value"]!.GetValue<long>());
    }

    [Fact]
    public async Task SetValuesSentWithAnInvocationIdIsAnsweredNullOnceQueuedAndThenByValuesApplied()
    {
        var (hub, _) = await RegisteredAsync();
        var id = (await hub.ResultAsync("Add", Level($"conformance.Y{Guid.NewGuid():N}")))!["id"]!.GetValue<string>();

        var completion = await hub.CallAsync("SetValues", SetValues(1, (id, true)));
        var (revisions, refused, _) = await AppliedThroughAsync(hub, 1);

        Assert.Null(completion.Error);
        Assert.Null(completion.Result);
        Assert.Empty(refused);
        Assert.True(Assert.Single(revisions) > 0);
    }

    [Fact]
    public async Task ASubscriptionWhosePatternNamesTheValueGetsWholeEventsThatSayWhetherTheItemStillMatches()
    {
        var type = $"conformance.Z{Guid.NewGuid():N}";
        var (writer, _) = await RegisteredAsync();
        var id = (await writer.ResultAsync("Add", Level(type)))!["id"]!.GetValue<string>();
        var (watcher, _) = await RegisteredAsync();
        await watcher.ResultAsync("Subscribe", J($$$"""{"subscriptionId":"zero","pattern":{"type":"{{{type}}}","fields":{"value":0}},"compactValues":true}"""));
        Assert.Single((await watcher.CallbackAsync("Snapshot")).Arguments![0]!["items"]!.AsArray());

        var events = new List<JsonNode>();
        foreach (var (sequence, value) in new[] { (1L, 1), (2L, 0) })
        {
            await writer.PostAsync("SetValues", SetValues(sequence, (id, value)));
            events.Add(Assert.Single((await watcher.CallbackAsync("Changes")).Arguments![0]!["events"]!.AsArray())!);
        }

        Assert.Equal([false, true], events.Select(e => e["matches"]!.GetValue<bool>()));
        Assert.All(events, e => Assert.Equal("updated", e["kind"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AnEntryThatCannotBeReadIsRefusedAloneAndACallThatCannotBeReadAsAWholeUnderItsSequence()
    {
        var (hub, _) = await RegisteredAsync();
        var id = (await hub.ResultAsync("Add", Level($"conformance.U{Guid.NewGuid():N}")))!["id"]!.GetValue<string>();
        var nested = (JsonNode)JsonValue.Create(1)!;
        for (var depth = 0; depth < 70; depth++)
        {
            nested = new JsonArray(nested);
        }

        await hub.PostAsync("SetValues", J($$"""{"sequence":1,"values":[["not a guid",1],["{{id}}",2],["{{id}}"],"x"]}"""));
        await hub.PostAsync("SetValues", J("""{"sequence":2,"values":"not an array"}"""));
        await hub.PostAsync("SetValues", new JsonObject { ["sequence"] = 3, ["values"] = new JsonArray(new JsonArray(JsonValue.Create(id), nested)) });
        await hub.PostAsync("SetValues", SetValues(4, (id, J("""[4, {"deep": [[4]]}]"""))));

        var answers = new List<JsonNode>();
        while (answers.Count < 4)
        {
            answers.Add((await hub.CallbackAsync("ValuesApplied")).Arguments![0]!);
        }
        Assert.Equal([1L, 2, 3, 4], answers.Select(a => a["sequence"]!.GetValue<long>()));
        var first = answers[0];
        Assert.Equal(4, first["revisions"]!.AsArray().Count);
        Assert.True(first["revisions"]![1]!.GetValue<long>() > 0);
        Assert.Equal([0L, 2, 3], first["refused"]!.AsArray().Select(r => r!["index"]!.GetValue<long>()));
        Assert.All(first["refused"]!.AsArray(), r => Assert.Equal("invalid", r!["code"]!.GetValue<string>()));
        foreach (var whole in answers.Skip(1).Take(2))
        {
            Assert.Empty(whole["revisions"]!.AsArray());
            var refusal = Assert.Single(whole["refused"]!.AsArray())!;
            Assert.Null(refusal["index"]);
            Assert.Equal(HubErrors.Invalid, refusal["code"]!.GetValue<string>());
        }
        Assert.True(Assert.Single(answers[3]["revisions"]!.AsArray())!.GetValue<long>() > 0);
        var value = (await hub.ResultAsync("Get", JsonValue.Create(id)))!["fields"]!["value"]!;
        Assert.Equal(4L, value[1]!["deep"]![0]![0]!.GetValue<long>());
    }
}
