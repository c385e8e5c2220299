using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Equip.Tests.Support;

/// Component requests through REST, as an installation designer makes them.
public static class ComponentRequests
{
    /// Requests the capability on the container and waits until its component runs; returns the
    /// request's id.
    public static async Task<Guid> RunAsync(HttpClient admin, string capability, string containerId)
    {
        var created = await admin.PostAsJsonAsync("/api/component-requests", new { capability, containerId });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await RunningAsync(admin, id);
        return id;
    }

    /// Waits until the request's component runs.
    public static Task RunningAsync(HttpClient http, Guid request) =>
        Wait.UntilAsync(async () => (await http.GetFromJsonAsync<JsonElement>($"/api/component-requests/{request}")).GetProperty("status").GetString() == "running",
            $"the component of request {request} running");

    /// A property's value as REST shows the component (null while the component, or the property,
    /// is not published yet: a component's item may come before its properties' items).
    public static async Task<JsonElement?> PropertyAsync(HttpClient http, Guid component, string name)
    {
        var response = await http.GetAsync($"/api/components/{component}");
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("properties").EnumerateArray()
            .Where(p => p.GetProperty("name").GetString() == name)
            .Select(p => (JsonElement?)p.GetProperty("value"))
            .FirstOrDefault();
    }

    /// Waits until the property's value meets the condition.
    public static Task UntilPropertyAsync(HttpClient http, Guid component, string name, Func<JsonElement, bool> condition) =>
        Wait.UntilAsync(async () => await PropertyAsync(http, component, name) is { } value && condition(value), $"{name} of {component} settles");
}
