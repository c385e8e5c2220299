using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Equip.Protocol;
using Equip.Tests.Support;

namespace Equip.Tests.Conformance;

/// The server at its own (real Kestrel, SQLite) for a conformance class, with quick timings.
public sealed class ConformanceServer : IDisposable
{
    public const double KeepAliveSeconds = 0.5;
    public const double ClientTimeoutSeconds = 2;
    private readonly TestStore _store = TestStore.Sqlite()
        .With("Equip:Peers:KeepAliveInterval", "00:00:00.500")
        .With("Equip:Peers:ClientTimeout", "00:00:02")
        .With("Equip:Limits:MaxRequestBodyBytes", "65536");

    public ConformanceServer() => Server = new EquipServer(_store);

    public EquipServer Server { get; }

    public void Dispose()
    {
        Server.Dispose();
        _store.Dispose();
    }
}

/// Every statement of docs/protocol.md that a test can check, at the wire level (no SignalR client
/// library, no Equip client): framing, each method's results and error codes, ordering, keep-alive
/// and timeout rules, close reasons. Run once per protocol.
public abstract partial class ProtocolConformanceTests(ConformanceServer fixture, WireFormat format) : IAsyncLifetime
{
    private readonly List<WireHub> _hubs = [];

    private Uri Address => fixture.Server.Address;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var hub in _hubs)
        {
            await hub.DisposeAsync();
        }
    }

    private static JsonNode J(string json) => JsonNode.Parse(json)!;

    private static string Peer() => $"peer-{Guid.NewGuid():N}";

    private async Task<WireHub> ConnectAsync()
    {
        var hub = await WireHub.ConnectAsync(Address, format);
        _hubs.Add(hub);
        return hub;
    }

    private async Task<(WireHub Hub, string PeerId)> RegisteredAsync(string? peerId = null, string incarnation = "inc-a")
    {
        var hub = await ConnectAsync();
        peerId ??= Peer();
        await hub.ResultAsync("Register", J($$"""{"peerId":"{{peerId}}","incarnation":"{{incarnation}}","name":"conformance"}"""));
        return (hub, peerId);
    }

    private static string? Code(WireMessage completion) => HubErrors.CodeOf(completion.Error);

    private static JsonObject Thing(string name, bool processBound = false, string? id = null) =>
        new() { ["id"] = id, ["type"] = "conformance.Thing", ["fields"] = new JsonObject { ["name"] = name }, ["processBound"] = processBound };

    [GeneratedRegex(@"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    private static partial Regex LowerCaseGuid();

    // Milliseconds at most; the serializer leaves out trailing zeros (".41" for 410 ms, none for 0).
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?\+00:00$")]
    private static partial Regex UtcMilliseconds();

    /// A time as the protocol carries it: an ISO string in JSON, [timestamp, offsetMinutes] in MessagePack.
    private string Time(JsonNode? time)
    {
        if (format == WireFormat.MessagePack)
        {
            var pair = time!.AsArray();
            Assert.Equal(2, pair.Count);
            Assert.Equal(0, pair[1]!.GetValue<long>()); // the server's times are UTC
            return pair[0]!.GetValue<string>();
        }
        return time!.GetValue<string>();
    }

    [Fact]
    public async Task TheHandshakeAcceptsJsonAndMessagePackAndRefusesAnUnknownProtocol()
    {
        var (hub, _) = await WireHub.TryConnectAsync(Address, format);
        Assert.NotNull(hub);
        await hub.DisposeAsync();
        var (none, error) = await WireHub.TryConnectAsync(Address, format, "smoke-signals");

        Assert.Null(none);
        Assert.Contains("smoke-signals", error);
    }

    [Fact]
    public async Task EveryMethodButRegisterAndUnsubscribeIsRefusedBeforeRegistering()
    {
        var hub = await ConnectAsync();
        var id = Guid.NewGuid().ToString();
        var calls = new (string Method, JsonNode?[] Arguments)[]
        {
            ("Add", [Thing("x")]), ("Update", [J($$$"""{"id":"{{{id}}}","fields":{}}""")]), ("Delete", [J($$$"""{"id":"{{{id}}}"}""")]),
            ("RenewLease", [J($$"""{"id":"{{id}}"}""")]), ("Get", [JsonValue.Create(id)]), ("Query", [J("""{"pattern":{"type":"*"}}""")]),
            ("Subscribe", [J("""{"subscriptionId":"s","pattern":{"type":"*"}}""")]), ("Reassert", [new JsonArray()]), ("SyncComplete", []),
        };

        foreach (var (method, arguments) in calls)
        {
            Assert.Equal(HubErrors.NotRegistered, Code(await hub.CallAsync(method, arguments)));
        }
        Assert.False((await hub.ResultAsync("Unsubscribe", JsonValue.Create("s")))!.GetValue<bool>());
    }

    [Fact]
    public async Task RegisterAnswersTheSessionAndTheLogAndIsRefusedASecondTimeOrWithoutAPeerId()
    {
        var hub = await ConnectAsync();
        var peerId = Peer();

        var registration = (await hub.ResultAsync("Register", J($$"""{"peerId":"{{peerId}}","incarnation":"inc-a","name":"n"}""")))!.AsObject();
        var again = await hub.CallAsync("Register", J($$"""{"peerId":"{{peerId}}","incarnation":"inc-a"}"""));
        var nameless = await (await ConnectAsync()).CallAsync("Register", J("""{"peerId":"","incarnation":"inc-a"}"""));

        Assert.False(registration["sessionPresent"]!.GetValue<bool>());
        Assert.True(registration["currentRevision"]!.GetValue<long>() >= 0);
        Assert.True(registration["oldestRetainedRevision"]!.GetValue<long>() >= 1);
        Assert.True(registration["association"]!.GetValue<long>() >= 1);
        Assert.Equal(HubErrors.AlreadyRegistered, Code(again));
        Assert.Equal(HubErrors.Invalid, Code(nameless));
    }

    [Fact]
    public async Task AnAddAnswersTheWholeItemAndAReAddOfItsIdIsAnUpdate()
    {
        var (hub, peerId) = await RegisteredAsync();
        var id = Guid.NewGuid().ToString();

        var item = (await hub.ResultAsync("Add", Thing("first", id: id)))!.AsObject();
        var readd = (await hub.ResultAsync("Add", Thing("second", id: id)))!.AsObject();

        Assert.Equal(["createdAt", "fields", "id", "leaseExpiresAt", "processBound", "responsible", "revision", "type", "updatedAt"], item.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(id, item["id"]!.GetValue<string>());
        Assert.Matches(LowerCaseGuid(), item["id"]!.GetValue<string>());
        Assert.Equal(peerId, item["responsible"]!.GetValue<string>());
        Assert.Null(item["leaseExpiresAt"]);
        Assert.Equal("first", item["fields"]!["name"]!.GetValue<string>());
        if (format == WireFormat.Json)
        {
            Assert.Matches(UtcMilliseconds(), Time(item["createdAt"]));
        }
        Assert.Equal(Time(item["createdAt"]), Time(readd["createdAt"]));
        Assert.True(readd["revision"]!.GetValue<long>() > item["revision"]!.GetValue<long>());
        Assert.Equal("second", readd["fields"]!["name"]!.GetValue<string>());
        var added = await hub.ResultAsync("Add", new JsonObject { ["type"] = "conformance.Thing", ["fields"] = new JsonObject() });
        Assert.Matches(LowerCaseGuid(), added!["id"]!.GetValue<string>()); // the server makes an id when none is given
    }

    [Fact]
    public async Task RefusalsCarryTheirCodesAndADeleteAnswersNull()
    {
        var (hub, _) = await RegisteredAsync();
        var item = (await hub.ResultAsync("Add", Thing("x")))!;
        var id = item["id"]!.GetValue<string>();
        var unknown = Guid.NewGuid().ToString();

        Assert.Equal(HubErrors.Invalid, Code(await hub.CallAsync("Add", J("""{"type":"has space","fields":{}}"""))));
        Assert.Equal(HubErrors.Invalid, Code(await hub.CallAsync("Add", J("""{"type":"conformance.Thing","fields":[1,2]}"""))));
        Assert.Equal(HubErrors.Invalid, Code(await hub.CallAsync("Add", [null])));
        Assert.Equal(HubErrors.NotFound, Code(await hub.CallAsync("Update", J($$$"""{"id":"{{{unknown}}}","fields":{}}"""))));
        Assert.Equal(HubErrors.RevisionMismatch, Code(await hub.CallAsync("Update", J($$"""{"id":"{{id}}","fields":{},"expectedRevision":999999}"""))));
        Assert.Equal(HubErrors.NoLease, Code(await hub.CallAsync("RenewLease", J($$"""{"id":"{{id}}"}"""))));
        Assert.Equal(HubErrors.NotFound, Code(await hub.CallAsync("Delete", J($$"""{"id":"{{unknown}}"}"""))));
        Assert.Equal(HubErrors.Invalid, Code(await hub.CallAsync("Query", J("""{"pattern":{"type":"*"},"limit":0}"""))));
        Assert.Null(await hub.ResultAsync("Get", JsonValue.Create(unknown)));
        var renewed = await hub.ResultAsync("RenewLease", J($$"""{"id":"{{id}}","leaseSeconds":60}"""));
        Assert.NotNull(renewed!["leaseExpiresAt"]);
        var deleted = await hub.CallAsync("Delete", J($$"""{"id":"{{id}}"}"""));
        Assert.Null(deleted.Error);
        Assert.Null(deleted.Result);
        Assert.Null(await hub.ResultAsync("Get", JsonValue.Create(id)));
    }

    [Fact]
    public async Task AnUnknownMethodOrAnUnbindableArgumentFailsWithInvalidAndTheConnectionStaysOpen()
    {
        var (hub, _) = await RegisteredAsync();

        var unknown = await hub.CallAsync("Teleport", J("{}"));
        var unbindable = await hub.CallAsync("Get", JsonValue.Create("not a guid"));
        var tooMany = await hub.CallAsync("Get", JsonValue.Create(Guid.NewGuid().ToString()), JsonValue.Create(1));

        Assert.Equal("invalid", Code(unknown));
        Assert.Equal("invalid", Code(unbindable));
        Assert.Contains("Get", unbindable.Error);
        Assert.Equal("invalid", Code(tooMany));
        Assert.NotNull(await hub.ResultAsync("Add", Thing("still open")));
    }

    [Fact]
    public async Task CallsAreAppliedOneAtATimeInTheOrderSent()
    {
        var (hub, _) = await RegisteredAsync();
        var ids = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            ids.Add(await hub.SendAsync("Add", Thing($"n{i}")));
        }

        var revisions = new List<long>();
        foreach (var id in ids)
        {
            revisions.Add((await hub.CompletionAsync(id)).Result!["revision"]!.GetValue<long>());
        }

        Assert.Equal(revisions.Order(), revisions);
        Assert.Equal(revisions.Count, revisions.Distinct().Count());
    }

    [Fact]
    public async Task ASubscriptionDeliversItsSnapshotThenEveryChangeInRevisionOrderWithoutGapOrDuplicate()
    {
        var (hub, _) = await RegisteredAsync();
        var type = $"conformance.S{Guid.NewGuid():N}";
        var before = await hub.ResultAsync("Add", new JsonObject { ["type"] = type, ["fields"] = new JsonObject { ["n"] = 0 } });
        var (writer, _) = await RegisteredAsync();

        var subscribed = await hub.ResultAsync("Subscribe", J($$$"""{"subscriptionId":"watch","pattern":{"type":"{{{type}}}"}}"""));
        for (var n = 1; n <= 10; n++)
        {
            await writer.ResultAsync("Add", new JsonObject { ["type"] = type, ["fields"] = new JsonObject { ["n"] = n } });
        }
        var duplicate = await hub.CallAsync("Subscribe", J($$$"""{"subscriptionId":"watch","pattern":{"type":"{{{type}}}"}}"""));

        var first = await hub.CallbackAsync();
        Assert.Equal("Snapshot", first.Target);
        var snapshot = first.Arguments![0]!;
        Assert.Equal("watch", snapshot["subscriptionId"]!.GetValue<string>());
        Assert.Equal(subscribed!["revision"]!.GetValue<long>(), snapshot["revision"]!.GetValue<long>());
        Assert.Equal(before!["id"]!.GetValue<string>(), Assert.Single(snapshot["items"]!.AsArray())!["id"]!.GetValue<string>());
        var seen = new List<long>();
        while (seen.Count < 10)
        {
            var message = await hub.CallbackAsync();
            Assert.Equal("Changes", message.Target);
            var changes = message.Arguments![0]!;
            foreach (var change in changes["events"]!.AsArray())
            {
                Assert.Equal("added", change!["kind"]!.GetValue<string>());
                Assert.True(change["matches"]!.GetValue<bool>());
                seen.Add(change["revision"]!.GetValue<long>());
            }
        }
        Assert.Equal(seen.Order(), seen);
        Assert.Equal(10, seen.Distinct().Count());
        Assert.True(seen[0] > snapshot["revision"]!.GetValue<long>());
        Assert.Equal(HubErrors.DuplicateSubscription, Code(duplicate));
        Assert.True((await hub.ResultAsync("Unsubscribe", JsonValue.Create("watch")))!.GetValue<bool>());
        Assert.False((await hub.ResultAsync("Unsubscribe", JsonValue.Create("watch")))!.GetValue<bool>());
    }

    [Fact]
    public async Task ASubscriptionFromARevisionReplaysWhatCameAfterItAndADeleteSaysWhy()
    {
        var (hub, _) = await RegisteredAsync();
        var type = $"conformance.R{Guid.NewGuid():N}";
        var first = await hub.ResultAsync("Add", new JsonObject { ["type"] = type, ["fields"] = new JsonObject() });
        var from = first!["revision"]!.GetValue<long>();
        var second = await hub.ResultAsync("Add", new JsonObject { ["type"] = type, ["fields"] = new JsonObject() });
        await hub.ResultAsync("Delete", J($$"""{"id":"{{first["id"]}}"}"""));

        await hub.ResultAsync("Subscribe", J($$"""{"subscriptionId":"r","pattern":{"type":"{{type}}"},"fromRevision":{{from}}}"""));
        var events = new List<JsonNode>();
        while (events.Count < 2)
        {
            var message = await hub.CallbackAsync();
            Assert.Equal("Changes", message.Target);
            events.AddRange(message.Arguments![0]!["events"]!.AsArray()!.Select(e => e!));
        }

        Assert.Equal(second!["id"]!.GetValue<string>(), events[0]["item"]!["id"]!.GetValue<string>());
        Assert.Equal("deleted", events[1]["kind"]!.GetValue<string>());
        Assert.Equal("explicit", events[1]["reason"]!.GetValue<string>());
        Assert.True(events[1]["item"]!["revision"]!.GetValue<long>() < events[1]["revision"]!.GetValue<long>());
    }

    [Fact]
    public async Task ReassertAnswersTheStoredItemsAndSyncCompleteHowManyItSwept()
    {
        var peerId = Peer();
        var (first, _) = await RegisteredAsync(peerId);
        var kept = (await first.ResultAsync("Add", Thing("kept")))!;
        var dropped = (await first.ResultAsync("Add", Thing("dropped")))!;
        await first.DisposeAsync();

        var (again, _) = await RegisteredAsync(peerId);
        var stored = (await again.ResultAsync("Reassert", new JsonArray(new JsonObject
        {
            ["id"] = kept["id"]!.GetValue<string>(), ["type"] = "conformance.Thing", ["fields"] = new JsonObject { ["name"] = "kept" },
            ["processBound"] = false, ["knownRevision"] = kept["revision"]!.GetValue<long>(),
        })))!.AsArray();
        var swept = await again.ResultAsync("SyncComplete");

        Assert.Equal(kept["id"]!.GetValue<string>(), Assert.Single(stored)!["id"]!.GetValue<string>());
        Assert.Equal(1, swept!.GetValue<long>());
        Assert.Null(await again.ResultAsync("Get", JsonValue.Create(dropped["id"]!.GetValue<string>())));
    }

    [Theory]
    [InlineData("inc-b", HubErrors.StaleIncarnation)]
    [InlineData("inc-a", HubErrors.Replaced)]
    public async Task AConnectionWhosePeerRegistersAgainElsewhereIsClosedWithTheReasonAndNoReconnect(string incarnation, string code)
    {
        var (first, peerId) = await RegisteredAsync();

        await RegisteredAsync(peerId, incarnation);
        var close = await first.UntilClosedAsync(Wait.Timeout);

        Assert.NotNull(close);
        Assert.Equal(code, HubErrors.CodeOf(close.Error));
        Assert.False(close.AllowReconnect);
    }

    [Fact]
    public async Task AFencedIncarnationIsRefusedWhenItRegistersAgain()
    {
        var (_, peerId) = await RegisteredAsync(incarnation: "inc-a");
        await RegisteredAsync(peerId, "inc-b");

        var late = await (await ConnectAsync()).CallAsync("Register", J($$"""{"peerId":"{{peerId}}","incarnation":"inc-a"}"""));

        Assert.Equal(HubErrors.StaleIncarnation, Code(late));
    }

    [Fact]
    public async Task AMessageLargerThanTheLimitClosesTheConnectionUnprocessed()
    {
        var (hub, _) = await RegisteredAsync();
        var id = Guid.NewGuid().ToString();

        await hub.SendAsync("Add", new JsonObject { ["id"] = id, ["type"] = "conformance.Big", ["fields"] = new JsonObject { ["blob"] = new string('x', 70_000) } });
        await hub.UntilClosedAsync(Wait.Timeout);

        var (reader, _) = await RegisteredAsync();
        Assert.Null(await reader.ResultAsync("Get", JsonValue.Create(id)));
    }
}

public sealed class JsonProtocolConformanceTests(ConformanceServer fixture)
    : ProtocolConformanceTests(fixture, WireFormat.Json), IClassFixture<ConformanceServer>;

public sealed class MessagePackProtocolConformanceTests(ConformanceServer fixture)
    : ProtocolConformanceTests(fixture, WireFormat.MessagePack), IClassFixture<ConformanceServer>;
