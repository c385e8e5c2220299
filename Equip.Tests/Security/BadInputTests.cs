using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using static Equip.Tests.Security.Refusals;

namespace Equip.Tests.Security;

/// REST input that every store could not keep alike, or that used to reach the server unchecked
/// and fail it with a 500: each is a 400 with problem details now, logged as a warning.
public sealed class BadInputTests : SecurityServer
{
    [Theory]
    [InlineData("""{"text":"a\u0000b"}""", "NUL")]
    [InlineData("""{"text":"\ud800"}""", "not valid Unicode")]
    [InlineData("""{"\udc00":1}""", "not valid Unicode")]
    [InlineData("""{"list":[1,{"deep":"x\udfffy"}]}""", "not valid Unicode")]
    [InlineData("""{"n\u0007ame":1}""", "control character")]
    [InlineData("""{"a":1,"a":2}""", "two properties named 'a'")]
    [InlineData("""{"n":1e999}""", "beyond the range of a double")]
    [InlineData("""{"n":-1E400}""", "beyond the range of a double")]
    public async Task FieldsThatNotEveryStoreKeepsAlikeAreRefused(string fields, string reason)
    {
        using var admin = Server.NewClient();

        var problem = await ProblemAsync(await admin.PostJsonAsync("/api/items", $$"""{"type":"demo.Bad","fields":{{fields}}}"""), "Invalid item");

        Assert.Contains(reason, problem.GetProperty("detail").GetString());
        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>("/api/items?type=demo.Bad") ?? []);
        Assert.Contains(Server.Logs.Entries, e => e is { Level: LogLevel.Warning, EventName: "RequestRefused" });
        Assert.Empty(Server.Logs.AtLeast(LogLevel.Error));
    }

    [Theory]
    [InlineData("demo.\\u0000x")]
    [InlineData("demo.\\u0001x")]
    public async Task AnItemTypeWithAControlCharacterIsRefused(string type)
    {
        using var admin = Server.NewClient();

        await ProblemAsync(await admin.PostJsonAsync("/api/items", $$$"""{"type":"{{{type}}}","fields":{}}"""), "Invalid item");
    }

    [Theory]
    [InlineData("field.name=%22%5Cud800%22")]
    [InlineData("field.name=1e999")]
    [InlineData("type=demo.%01")]
    public async Task AQueryWhosePatternCouldNotBeComparedIsRefused(string query)
    {
        using var admin = Server.NewClient();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJsonAsync("/api/items", """{"type":"demo.Named","fields":{"name":"x"}}""")).StatusCode);

        await ProblemAsync(await admin.GetAsync($"/api/items?{query}"), "Invalid item");
    }

    [Fact]
    public async Task ARequestOrConstantWithAValueThatCannotBeWrittenIsRefused()
    {
        using var admin = Server.NewClient();

        await ProblemAsync(await admin.PostJsonAsync("/api/component-requests", """{"capability":"Slider","initialValues":{"value":"\ud800"}}"""), "Invalid item");
        await ProblemAsync(await admin.PostJsonAsync("/api/constants",
            $$"""{"destination":{"componentRequestId":"{{Guid.NewGuid()}}","property":"text"},"value":["\udfff"]}"""), "Invalid item");
        await ProblemAsync(await admin.PostJsonAsync("/api/component-requests", """{"capability":"Sli\u0000der"}"""), "Invalid item");
        Assert.Empty(Server.Logs.AtLeast(LogLevel.Error));
    }

    [Theory]
    [InlineData("""{"requests":[],"links":[],"constants":[{"id":"00000000-0000-0000-0000-000000000001","destination":{"containerId":"c","component":"d","property":"p"}}]}""")]
    [InlineData("""{"requests":[{"id":"00000000-0000-0000-0000-000000000001","capability":"Slider","initialValues":{"v":"\ud800"}}],"links":[],"constants":[]}""")]
    public async Task AnInstallationWithAnEntryThatCannotBeWrittenIsRefusedWhole(string document)
    {
        using var admin = Server.NewClient();

        await ProblemAsync(await admin.PostJsonAsync("/api/installation", document), "Invalid item");
        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>("/api/items?type=ect.*") ?? []);
        Assert.Empty(Server.Logs.AtLeast(LogLevel.Error));
    }
}
