using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Tests.Support;

namespace Equip.Tests.Components;

/// Names people can tell apart (docs/components.md, "Names"): a request may carry one; without,
/// the server names it "Capability N"; it can be renamed; the installation file carries it.
public sealed class ComponentNamesTests
{
    [Fact]
    public async Task RequestsAreNamedInTurnKeepAGivenNameAndCanBeRenamed()
    {
        using var store = TestStore.Sqlite();
        using var server = new EquipServer(store);
        using var http = server.NewClient();
        var first = await RequestAsync(http, new { capability = "Slider", containerId = "sim-1" });
        var second = await RequestAsync(http, new { capability = "Slider", containerId = "sim-1" });
        var display = await RequestAsync(http, new { capability = "Display", containerId = "sim-1" });
        var named = await RequestAsync(http, new { capability = "Slider", containerId = "sim-1", name = "  Hall dimmer " });
        Assert.Equal(("Slider 1", "Slider 2", "Display 1", "Hall dimmer"), (Name(first), Name(second), Name(display), Name(named)));

        var renamed = await http.PutAsJsonAsync($"/api/component-requests/{Id(first)}/name", new { name = "Stage slider" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("Stage slider", Name(await renamed.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.Equal("Stage slider", Name(await http.GetFromJsonAsync<JsonElement>($"/api/component-requests/{Id(first)}")));
        Assert.Equal("Slider 3", Name(await RequestAsync(http, new { capability = "Slider", containerId = "sim-1" }))); // after the highest number in use

        foreach (var bad in new[] { "", "   ", new string('x', 101), "tab\there" })
        {
            var refused = await http.PutAsJsonAsync($"/api/component-requests/{Id(first)}/name", new { name = bad });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await http.PutAsJsonAsync($"/api/component-requests/{Guid.NewGuid()}/name", new { name = "x" })).StatusCode);

        var file = await http.GetFromJsonAsync<JsonElement>("/api/installation");
        Assert.Contains(file.GetProperty("requests").EnumerateArray(), r => r.GetProperty("name").GetString() == "Stage slider");
    }

    private static async Task<JsonElement> RequestAsync(HttpClient http, object request)
    {
        var made = await http.PostAsJsonAsync("/api/component-requests", request);
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        return await made.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string? Name(JsonElement request) => request.GetProperty("name").GetString();

    private static Guid Id(JsonElement request) => request.GetProperty("id").GetGuid();
}
