using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Protocol;
using Equip.Tests.Support;
using Microsoft.Extensions.Logging;
using static Equip.Tests.Security.Refusals;

namespace Equip.Tests.Security;

/// Component-layer items of the wrong shape, which a faulty or hostile peer may publish (a
/// container without its containerId, a second item claiming a container id, a link without a
/// source): the launcher and the link engine leave them out and go on placing and linking the
/// rest, and log no error.
public sealed class MalformedComponentItemsTests : SecurityServer
{
    [Fact]
    public async Task ContainersWithoutAnIdOrWithAnotherContainersIdDoNotStopThePlacementOfRequests()
    {
        var (peer, _) = await HubClient.RegisterAsync(Server.Address, "box-1", "inc-1");
        await using var _ = peer;
        peer.Connection.KeepAliveInterval = TimeSpan.FromSeconds(1);
        await peer.InvokeAsync<WireItem>(HubNames.Add, new AddRequest { Type = Ect.Container, Fields = Json("""{"name":"no id","host":"h","labels":{}}"""), ProcessBound = true });
        await peer.InvokeAsync<WireItem>(HubNames.Add, new AddRequest { Type = Ect.Container, Fields = Json("""{"containerId":null,"name":"null id"}"""), ProcessBound = true });
        await peer.InvokeAsync<WireItem>(HubNames.Add, Container("box-1", id: null));
        await peer.InvokeAsync<WireItem>(HubNames.Add, Container("box-1", Ect.ContainerItemId("box-1")));
        await peer.InvokeAsync<WireItem>(HubNames.Add, new AddRequest
        {
            Id = Ect.CapabilityItemId("box-1", "Slider"),
            Type = Ect.Capability,
            Fields = Json("""{"containerId":"box-1","capability":"Slider","properties":[]}"""),
            ProcessBound = true,
        });
        using var admin = Server.NewClient();

        var made = await admin.PostJsonAsync("/api/component-requests", """{"capability":"Slider"}""");
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var id = (await made.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        await Wait.UntilAsync(async () =>
            (await admin.GetFromJsonAsync<JsonElement>($"/api/component-requests/{id}")).GetProperty("assignedContainerId").GetString() == "box-1",
            "the request is placed on the one well-formed container");
        var containers = await admin.GetFromJsonAsync<JsonElement[]>("/api/containers");
        Assert.All(containers!, c => Assert.Equal("box-1", c.GetProperty("containerId").GetString()));
        Assert.Empty(Server.Logs.AtLeast(LogLevel.Error));
    }

    [Fact]
    public async Task LinksAndConstantsWithoutTheirReferencesAreLeftOut()
    {
        using var admin = Server.NewClient();
        foreach (var (type, fields) in new[]
        {
            (Ect.Link, """{"destination":{"containerId":"c","component":"d","property":"p"}}"""),
            (Ect.Link, """{"source":{"containerId":"c","component":"d"},"destination":null}"""),
            (Ect.Constant, """{"destination":{"containerId":"c","component":"d","property":"p"}}"""),
        })
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.PostJsonAsync("/api/items", $$"""{"type":"{{type}}","fields":{{fields}}}""")).StatusCode);
        }

        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>("/api/links") ?? []);
        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>("/api/constants") ?? []);
        var exported = await admin.GetFromJsonAsync<JsonElement>("/api/installation");
        Assert.Equal(0, exported.GetProperty("links").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/components")).StatusCode);
        Assert.Empty(Server.Logs.AtLeast(LogLevel.Error));
    }

    private static AddRequest Container(string containerId, Guid? id) => new()
    {
        Id = id,
        Type = Ect.Container,
        Fields = Json($$$"""{"containerId":"{{{containerId}}}","name":"{{{containerId}}}","host":"h","labels":{}}"""),
        ProcessBound = true,
    };
}
