using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Protocol;
using Equip.Tests.Support;
using Equip.Web.Hubs;
using Microsoft.Extensions.DependencyInjection;
using Equip.Web.Hubs.FanOut;

namespace Equip.Tests.Hub;

/// The fan-out from the writer to the hub's subscriptions, through a real Kestrel and real
/// SignalR clients: routed by type, in revision order, to subscribed connections only.
public sealed class FanOutTests : IAsyncLifetime
{
    private const string End = "fanout.End";
    private readonly TestStore _store = TestStore.Sqlite();
    private EquipServer? _server;

    private EquipServer Server => _server!;

    private ChangeDispatcher Dispatcher => Server.Services.GetRequiredService<ChangeDispatcher>();

    public Task InitializeAsync()
    {
        _server = new EquipServer(_store);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _server?.Dispose();
        _store.Dispose();
        return Task.CompletedTask;
    }

    private static AddRequest Item(string type, int n) =>
        new() { Type = type, Fields = JsonDocument.Parse($$"""{"n":{{n}}}""").RootElement.Clone(), ProcessBound = true };

    private static async Task SubscribeAsync(HubClient client, string id, WirePattern pattern)
    {
        await client.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest { SubscriptionId = id, Pattern = pattern });
        Assert.Empty((await client.ReceiveAsync<SnapshotMessage>()).Items);
    }

    /// Every event the connection is sent, by subscription, up to the one of type End (written
    /// last, so that everything routed to the connection before it has arrived too).
    private static async Task<Dictionary<string, List<WireEvent>>> ReceiveUntilEndAsync(HubClient client, IReadOnlyDictionary<string, int> expected)
    {
        var received = expected.Keys.ToDictionary(k => k, _ => new List<WireEvent>());
        var ended = false;
        while (!ended || expected.Any(e => received[e.Key].Count < e.Value))
        {
            var changes = await client.ReceiveAsync<ChangesMessage>();
            received[changes.SubscriptionId].AddRange(changes.Events);
            ended |= changes.Events.Any(e => e.Item.Type == End);
        }
        return received;
    }

    [Fact]
    public async Task EachSubscriptionReceivesExactlyTheEventsOfTheTypesItsPatternMatchesInRevisionOrder()
    {
        var (one, _) = await HubClient.RegisterAsync(Server.Address, "writer-1", "w1");
        var (two, _) = await HubClient.RegisterAsync(Server.Address, "writer-2", "w2");
        var (idle, _) = await HubClient.RegisterAsync(Server.Address, "idle", "i");
        var (exact, _) = await HubClient.RegisterAsync(Server.Address, "exact", "e");
        var (prefix, _) = await HubClient.RegisterAsync(Server.Address, "prefix", "p");
        var (mixed, _) = await HubClient.RegisterAsync(Server.Address, "mixed", "m");
        var (everything, _) = await HubClient.RegisterAsync(Server.Address, "everything", "a");
        await using var _1 = one;
        await using var _2 = two;
        await using var _i = idle;
        await using var _e = exact;
        await using var _p = prefix;
        await using var _m = mixed;
        await using var _a = everything;
        var patterns = new Dictionary<(HubClient Client, string Id), Pattern>
        {
            [(exact, "a")] = new("demo.A"),
            [(prefix, "demo")] = new("demo.*"),
            [(prefix, "of-two")] = new("demo.*", Responsible: "writer-2"),
            [(mixed, "other")] = new("other.*"),
            [(mixed, "b")] = new("demo.B"),
            [(everything, "all")] = new("*"),
            [(everything, "d")] = new("d*"),
        };
        foreach (var ((client, id), pattern) in patterns)
        {
            await SubscribeAsync(client, id, new WirePattern { Type = pattern.Type, Responsible = pattern.Responsible });
        }
        foreach (var client in new[] { exact, prefix, mixed, everything })
        {
            await SubscribeAsync(client, "end", new WirePattern { Type = End });
            patterns[(client, "end")] = new(End);
        }
        Assert.Equal(patterns.Count, Dispatcher.Count); // writers and idle connections are not in the index

        var types = new[] { "demo.A", "demo.B", "demo.AB", "demo", "other.C", "otherwise.C" };
        var streams = new[] { one, two }.Select(writer => Task.Run(async () =>
        {
            var added = new List<WireItem>();
            for (var i = 0; i < 60; i++)
            {
                added.Add(await writer.InvokeAsync<WireItem>("Add", Item(types[i % types.Length], i)));
            }
            return added;
        }));
        var written = (await Task.WhenAll(streams)).SelectMany(a => a).ToList();
        written.Add(await one.InvokeAsync<WireItem>("Add", Item(End, 0)));

        foreach (var client in new[] { exact, prefix, mixed, everything })
        {
            var ofClient = patterns.Where(p => p.Key.Client == client).ToDictionary(p => p.Key.Id, p => p.Value);
            var expected = ofClient.ToDictionary(p => p.Key, p => written
                .Where(i => p.Value.MatchesType(i.Type) && (p.Value.Responsible is null || p.Value.Responsible == i.Responsible))
                .Select(i => i.Revision).Order().ToList());
            var received = await ReceiveUntilEndAsync(client, expected.ToDictionary(e => e.Key, e => e.Value.Count));
            foreach (var (id, revisions) in expected)
            {
                Assert.NotEmpty(revisions);
                Assert.Equal(revisions, received[id].Select(e => e.Revision));
            }
        }
        Assert.False(idle.TryReceive(out _));
        Assert.False(one.TryReceive(out _));
    }

    /// The replay is read on the hub call's thread while the dispatcher routes the same writes on
    /// its own: the subscription must take the log up to where it read and the live events after.
    [Fact]
    public async Task AReplayingSubscriptionJoinsTheLiveStreamWithoutGapOrDuplicateWhileWritesFlow()
    {
        var (writer, _) = await HubClient.RegisterAsync(Server.Address, "writer", "w");
        var (reader, _) = await HubClient.RegisterAsync(Server.Address, "reader", "r");
        await using var _w = writer;
        await using var _r = reader;
        var added = new List<WireItem>();
        var fiftyIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < 600; i++)
            {
                var item = await writer.InvokeAsync<WireItem>("Add", Item(i % 2 == 0 ? "demo.Thing" : "demo.Other", i));
                lock (added)
                {
                    added.Add(item);
                }
                if (i == 50)
                {
                    fiftyIn.SetResult();
                }
            }
        });
        await fiftyIn.Task.WaitAsync(Wait.Timeout);
        long from;
        lock (added)
        {
            from = added[20].Revision;
        }

        var subscribed = await reader.InvokeAsync<SubscribeResponse>("Subscribe", new SubscribeRequest
        {
            SubscriptionId = "s", Pattern = new WirePattern { Type = "demo.Thing" }, FromRevision = from,
        });
        await writes;

        var expected = added.Where(i => i.Type == "demo.Thing" && i.Revision > from).Select(i => i.Revision).ToList();
        var received = new List<long>();
        while (received.Count < expected.Count)
        {
            received.AddRange((await reader.ReceiveAsync<ChangesMessage>()).Events.Select(e => e.Revision));
        }
        Assert.Equal(expected, received);
        Assert.InRange(subscribed.Revision, added[50].Revision, added[^1].Revision - 1);
    }

    [Fact]
    public async Task ASubscriptionLeavesTheIndexWhenItIsRemovedOrItsConnectionCloses()
    {
        var (first, _) = await HubClient.RegisterAsync(Server.Address, "first", "f");
        var (second, _) = await HubClient.RegisterAsync(Server.Address, "second", "s");
        await using var _f = first;
        await SubscribeAsync(first, "a", new WirePattern { Type = "demo.*" });
        await SubscribeAsync(first, "b", new WirePattern { Type = "demo.Thing" });
        await SubscribeAsync(second, "a", new WirePattern { Type = "demo.*" });
        Assert.Equal(3, Dispatcher.Count);

        Assert.True(await first.InvokeAsync<bool>("Unsubscribe", "a"));
        Assert.Equal(2, Dispatcher.Count);
        await second.DisposeAsync();

        await Wait.UntilAsync(() => Task.FromResult(Dispatcher.Count == 1), "the closed connection's subscription is gone");
        await first.InvokeAsync<WireItem>("Add", Item("demo.Thing", 1));
        Assert.Equal("b", (await first.ReceiveAsync<ChangesMessage>()).SubscriptionId);
    }
}
