using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Protocol;
using Equip.Tests.Support;

namespace Equip.Tests.Security;

/// A peer changes, renews and deletes only the items it is responsible for, and cannot take
/// another's over by adding or re-asserting its id, whatever key it connected with.
public sealed class TamperingTests : SecurityServer
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task APeerCannotTouchAnotherPeersItem(bool processBound)
    {
        var (owner, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var _ = owner;
        var (intruder, _) = await HubClient.RegisterAsync(Server.Address, "intruder", "inc-x");
        await using var __ = intruder;
        var item = await owner.InvokeAsync<WireItem>(HubNames.Add, Devices.Thing("hall", processBound) with { LeaseSeconds = 60 });

        Assert.Equal(HubErrors.NotResponsible, await RefusalOf(() => intruder.InvokeAsync<WireItem>(HubNames.Update,
            new UpdateRequest { Id = item.Id, Fields = Json("""{"name":"mine now"}""") })));
        Assert.Equal(HubErrors.NotResponsible, await RefusalOf(() => intruder.InvokeAsync(HubNames.Delete, new DeleteRequest { Id = item.Id })));
        Assert.Equal(HubErrors.NotResponsible, await RefusalOf(() => intruder.InvokeAsync<WireItem>(HubNames.RenewLease,
            new RenewLeaseRequest { Id = item.Id, LeaseSeconds = 3600 })));
        Assert.Equal(HubErrors.Owned, await RefusalOf(() => intruder.InvokeAsync<WireItem>(HubNames.Add,
            Devices.Thing("taken", processBound) with { Id = item.Id })));
        var reasserted = await intruder.InvokeAsync<IReadOnlyList<WireItem>>(HubNames.Reassert, new[]
        {
            new ReassertedItemMessage { Id = item.Id, Type = item.Type, Fields = Json("""{"name":"reasserted"}"""), ProcessBound = processBound, KnownRevision = item.Revision },
        });
        Assert.Equal("lamp-1", Assert.Single(reasserted).Responsible);
        Assert.Equal(0, await intruder.InvokeAsync<int>(HubNames.SyncComplete));

        var stored = await owner.InvokeAsync<WireItem?>(HubNames.Get, item.Id);
        Assert.NotNull(stored);
        Assert.Equal(item.Revision, stored.Revision);
        Assert.Equal("lamp-1", stored.Responsible);
        Assert.Equal("hall", Devices.NameOf(stored));
        Assert.Equal(item.LeaseExpiresAt, stored.LeaseExpiresAt);
        // The owner still may.
        await owner.InvokeAsync<WireItem>(HubNames.Update, new UpdateRequest { Id = item.Id, Fields = Devices.Fields("hall 2") });
        await owner.InvokeAsync(HubNames.Delete, new DeleteRequest { Id = item.Id });
    }

    [Fact]
    public async Task APeerCannotChangeAnItemNoPeerIsResponsibleFor()
    {
        using var admin = Server.NewClient();
        var made = await admin.PostAsJsonAsync("/api/items", new { type = "demo.Shared", fields = new { v = 1 } });
        var id = (await made.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var (peer, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var _ = peer;

        Assert.Equal(HubErrors.NotResponsible, await RefusalOf(() => peer.InvokeAsync<WireItem>(HubNames.Update, new UpdateRequest { Id = id, Fields = Json("{}") })));
        Assert.Equal(HubErrors.NotResponsible, await RefusalOf(() => peer.InvokeAsync(HubNames.Delete, new DeleteRequest { Id = id })));
        Assert.Equal(HubErrors.Owned, await RefusalOf(() => peer.InvokeAsync<WireItem>(HubNames.Add,
            new AddRequest { Id = id, Type = "demo.Shared", Fields = Json("{}") })));
        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>($"/api/items/{id}")).GetProperty("fields").GetProperty("v").GetInt32());
    }

    [Fact]
    public async Task TheAdminChangesAPeersItemButDoesNotTakeItOverByReadding()
    {
        var (peer, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var _ = peer;
        var item = await peer.InvokeAsync<WireItem>(HubNames.Add, Devices.Thing("hall"));
        using var admin = Server.NewClient();

        var readd = await admin.PostAsJsonAsync("/api/items", new { id = item.Id, type = "demo.Thing", fields = new { name = "admin's" } });
        Assert.Equal(HttpStatusCode.Conflict, readd.StatusCode);
        Assert.Equal("application/problem+json", readd.Content.Headers.ContentType?.MediaType);
        var put = await admin.PutAsJsonAsync($"/api/items/{item.Id}", new { fields = new { name = "set by the admin" } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var stored = await admin.GetFromJsonAsync<JsonElement>($"/api/items/{item.Id}");
        Assert.Equal("lamp-1", stored.GetProperty("responsible").GetString());
    }

    [Theory]
    [InlineData(Ect.Link)]
    [InlineData(Ect.ComponentRequest)]
    [InlineData(Ect.Constant)]
    public async Task OnlyTheAdminMakesRequestsLinksAndConstants(string type)
    {
        var (peer, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a");
        await using var _ = peer;
        var own = await peer.InvokeAsync<WireItem>(HubNames.Add, Devices.Thing("own"));

        Assert.Equal(HubErrors.Forbidden, await RefusalOf(() => peer.InvokeAsync<WireItem>(HubNames.Add, new AddRequest { Type = type, Fields = Json("{}") })));
        Assert.Equal(HubErrors.Forbidden, await RefusalOf(() => peer.InvokeAsync<WireItem>(HubNames.Update, new UpdateRequest { Id = own.Id, Type = type, Fields = Json("{}") })));
        // Re-asserted, it is left out of the answer (the peer drops it); the rest of the call stands.
        var allowed = Guid.NewGuid();
        var reasserted = await peer.InvokeAsync<IReadOnlyList<WireItem>>(HubNames.Reassert, new[]
        {
            new ReassertedItemMessage { Id = allowed, Type = "demo.Thing", Fields = Json("{}") },
            new ReassertedItemMessage { Id = Guid.NewGuid(), Type = type, Fields = Json("{}") },
        });
        Assert.Equal([allowed], reasserted.Select(i => i.Id));

        using var admin = Server.NewClient();
        var all = await admin.GetFromJsonAsync<JsonElement[]>("/api/items?limit=1000");
        Assert.Equal(new[] { own.Id, allowed }.Order(), all!.Select(i => i.GetProperty("id").GetGuid()).Order());
    }

    [Fact]
    public async Task AKeyBoundToPeersAndContainersRegistersAndPublishesOnlyThose()
    {
        var (_, key) = await MakeKeyAsync("lamp one", containerIds: ["lamp-1"], peerIds: ["lamp-1"]);

        var refused = await HubClient.ConnectAsync(Server.Address, key: key);
        await using (refused)
        {
            Assert.Equal(HubErrors.Forbidden, await RefusalOf(() => refused.InvokeAsync<RegisterResponse>(HubNames.Register,
                new RegisterRequest { PeerId = "lamp-2", Incarnation = "inc-a", Name = "lamp-2" })));
        }
        var (peer, _) = await HubClient.RegisterAsync(Server.Address, "lamp-1", "inc-a", key: key);
        await using var _ = peer;
        await peer.InvokeAsync<WireItem>(HubNames.Add, Container("lamp-1"));
        Assert.Equal(HubErrors.Forbidden, await RefusalOf(() => peer.InvokeAsync<WireItem>(HubNames.Add, Container("lamp-2"))));
        Assert.Equal(HubErrors.Forbidden, await RefusalOf(() => peer.InvokeAsync<WireItem>(HubNames.Add,
            new AddRequest { Type = Ect.Capability, Fields = Json("""{"capability":"Slider"}"""), ProcessBound = true })));
        // The admin key has no such bounds.
        var (admin, _) = await HubClient.RegisterAsync(Server.Address, "lamp-2", "inc-a");
        await using var __ = admin;
        await admin.InvokeAsync<WireItem>(HubNames.Add, Container("lamp-2"));
    }

    private static AddRequest Container(string containerId) => new()
    {
        Id = Ect.ContainerItemId(containerId),
        Type = Ect.Container,
        Fields = Json($$$"""{"containerId":"{{{containerId}}}","name":"{{{containerId}}}","host":"h","labels":{}}"""),
        ProcessBound = true,
    };
}
