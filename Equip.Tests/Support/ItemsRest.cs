using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Equip.Tests.Support;

/// The REST API's item operations, as the server's launcher or a user of the REST API makes them.
public sealed class ItemsRest(HttpClient http)
{
    public async Task<Guid> AddAsync(string type, object fields)
    {
        var response = await http.PostAsJsonAsync("/api/items", new { type, fields }).WaitAsync(Wait.Timeout);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// Replaces the fields; returns the item's new revision.
    public async Task<long> PutFieldsAsync(Guid id, JsonElement fields)
    {
        var response = await http.PutAsJsonAsync($"/api/items/{id}", new { fields }).WaitAsync(Wait.Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revision").GetInt64();
    }

    /// Replaces one field, keeping the others as given; returns the item's new revision.
    public Task<long> PutFieldAsync(Guid id, JsonElement fields, string name, object? value)
    {
        var changed = JsonNode.Parse(fields.GetRawText())!.AsObject();
        changed[name] = JsonSerializer.SerializeToNode(value);
        return PutFieldsAsync(id, JsonSerializer.SerializeToElement(changed));
    }

    public async Task DeleteAsync(Guid id)
    {
        var response = await http.DeleteAsync($"/api/items/{id}").WaitAsync(Wait.Timeout);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
