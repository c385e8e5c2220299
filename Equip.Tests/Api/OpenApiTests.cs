using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Tests.Support;

namespace Equip.Tests.Api;

/// The OpenAPI document (docs/rest-api.md): every operation says what it does, every parameter
/// what it means, and the field.NAME filters are described; the document and Swagger UI are
/// served without a key (they describe the API, they hold no data), the API itself is not.
public sealed class OpenApiTests
{
    [Fact]
    public async Task EveryOperationHasASummaryAndEveryParameterADescription()
    {
        using var store = TestStore.Sqlite();
        using var server = new EquipServer(store);
        using var anonymous = new HttpClient { BaseAddress = server.Address };
        var swagger = await anonymous.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/swagger/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/items")).StatusCode);

        var operations = swagger.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Name: $"{op.Name.ToUpperInvariant()} {path.Name}", Operation: op.Value)))
            .ToList();
        Assert.True(operations.Count >= 29, $"{operations.Count} operations");
        var unsummarised = operations.Where(o => !o.Operation.TryGetProperty("summary", out var s) || string.IsNullOrWhiteSpace(s.GetString())).Select(o => o.Name).ToList();
        Assert.Empty(unsummarised);
        var undescribed = operations
            .SelectMany(o => o.Operation.TryGetProperty("parameters", out var parameters)
                ? parameters.EnumerateArray().Where(p => !p.TryGetProperty("description", out var d) || string.IsNullOrWhiteSpace(d.GetString()))
                    .Select(p => $"{o.Name} {p.GetProperty("name").GetString()}")
                : [])
            .ToList();
        Assert.Empty(undescribed);

        var query = operations.Single(o => o.Name == "GET /api/items").Operation;
        var described = query.GetProperty("summary").GetString() + (query.TryGetProperty("description", out var description) ? description.GetString() : "");
        Assert.Contains("field.NAME=VALUE", described);
        Assert.Contains(query.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "atRevision");
    }
}
