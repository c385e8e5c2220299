using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Equip.Protocol;
using Equip.Tests.Conformance;

namespace Equip.Tests.Security;

/// Sending raw input and reading the refusal it gets: problem details on REST, a hub error's code.
internal static class Refusals
{
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string path, string json) =>
        http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient http, string path, string json) =>
        http.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// A 400 with problem details of this title; the problem.
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, string title)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(title, problem.GetProperty("title").GetString());
        return problem;
    }

    /// A 400 "Limit reached" naming the limit's configuration key.
    public static async Task<JsonElement> LimitReachedAsync(HttpResponseMessage response, string limit)
    {
        var problem = await ProblemAsync(response, "Limit reached");
        Assert.Equal($"Equip:Limits:Items:{limit}", problem.GetProperty("limit").GetString());
        return problem;
    }

    public static async Task<JsonElement> ItemAsync(this HttpClient http, Guid id) =>
        await http.GetFromJsonAsync<JsonElement>($"/api/items/{id}");

    /// The code of the hub error a raw call ends with (null: it succeeded, or carried no code).
    public static async Task<string?> CodeAsync(WireHub hub, string target, params System.Text.Json.Nodes.JsonNode?[] arguments) =>
        HubErrors.CodeOf((await hub.CallAsync(target, arguments)).Error);

    /// {"a":{"a":...1...}}: this many objects, nested.
    public static string Nested(int depth)
    {
        var json = "1";
        for (var i = 0; i < depth; i++)
        {
            json = $$"""{"a":{{json}}}""";
        }
        return json;
    }
}
