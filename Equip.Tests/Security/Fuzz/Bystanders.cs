using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Protocol;
using Equip.Tests.Support;

namespace Equip.Tests.Security.Fuzz;

/// Items made before the fuzz, persistent and process-bound, over REST and the hub (by a peer
/// that stays connected throughout), that must come out of it exactly as they went in.
internal sealed class Bystanders : IAsyncDisposable
{
    private readonly Dictionary<Guid, JsonElement> _before = [];

    private Bystanders(HubClient keeper) => Keeper = keeper;

    /// The peer that made the hub's bystanders; its connection must last the fuzz.
    public HubClient Keeper { get; }

    public IReadOnlyList<Guid> Ids => [.. _before.Keys];

    public static async Task<Bystanders> AddAsync(EquipServer server)
    {
        var (keeper, _) = await HubClient.RegisterAsync(server.Address, $"keeper-{Guid.NewGuid():N}", "inc-1");
        // The server closes a connection silent for Equip:Peers:ClientTimeout (6 s), less than the
        // client's default keep-alive (15 s): the keeper says it is there more often.
        keeper.Connection.KeepAliveInterval = TimeSpan.FromSeconds(1);
        var bystanders = new Bystanders(keeper);
        using var admin = server.NewClient();
        await bystanders.MadeAsync(admin, "/api/items", new { type = "demo.Bystander", fields = new { name = "rest persistent", n = 1, tags = new[] { "a", "b" } } });
        await bystanders.MadeAsync(admin, "/api/items", new { type = "demo.Bystander", fields = new { name = "rest leased" }, leaseSeconds = 3600 });
        await bystanders.MadeAsync(admin, "/api/links", new
        {
            source = new { componentRequestId = Guid.NewGuid(), property = "value" },
            destination = new { containerId = "bystander-box", component = "display", property = "text" },
        });
        await bystanders.MadeAsync(admin, "/api/constants", new { destination = new { componentRequestId = Guid.NewGuid(), property = "text" }, value = "kept" });
        foreach (var (name, processBound, lease) in new[] { ("hub persistent", false, (double?)null), ("hub process-bound", true, null), ("hub leased", true, 3600.0) })
        {
            var item = await keeper.InvokeAsync<WireItem>(HubNames.Add, new AddRequest
            {
                Type = "demo.Bystander",
                Fields = JsonDocument.Parse($$$"""{"name":"{{{name}}}","nested":{"list":[1,2.5,"x",null,true]}}""").RootElement.Clone(),
                ProcessBound = processBound,
                LeaseSeconds = lease,
            });
            bystanders._before[item.Id] = await ReadAsync(admin, item.Id);
        }
        return bystanders;
    }

    /// Each is still there, at the same revision, with the same type, fields, responsible and
    /// process-boundness.
    public async Task AssertIntactAsync(EquipServer server)
    {
        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected, Keeper.Connection.State);
        using var admin = server.NewClient();
        foreach (var (id, before) in _before)
        {
            var after = await ReadAsync(admin, id);
            foreach (var property in new[] { "type", "fields", "revision", "responsible", "processBound" })
            {
                Assert.True(JsonElement.DeepEquals(before.GetProperty(property), after.GetProperty(property)),
                    $"Bystander {id}'s {property} changed: was {before.GetProperty(property)}, is {after.GetProperty(property)}.");
            }
        }
    }

    private async Task MadeAsync(HttpClient admin, string path, object body)
    {
        var response = await admin.PostAsJsonAsync(path, body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        _before[id] = await ReadAsync(admin, id);
    }

    private static async Task<JsonElement> ReadAsync(HttpClient admin, Guid id)
    {
        var response = await admin.GetAsync($"/api/items/{id}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Bystander {id} is gone: {response.StatusCode}.");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public ValueTask DisposeAsync() => Keeper.DisposeAsync();
}
