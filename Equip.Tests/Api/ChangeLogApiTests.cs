using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Equip.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Equip.Tests.Api;

public sealed class ChangeLogApiTests
{
    [Fact]
    public async Task ReadingEventsThatWerePrunedAnswers410NamingTheOldestRetainedRevision()
    {
        using var store = TestStore.Sqlite()
            .With("Equip:ChangeLog:RetainCount", "3")
            .With("Equip:ChangeLog:PruneInterval", "00:00:01");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var server = new EquipServer(store, time);
        using var http = server.NewClient();
        for (var i = 0; i < 8; i++)
        {
            var added = await http.PostAsync("/api/items", new StringContent($$$"""{"type":"demo.Lamp","fields":{"n":{{{i}}}}}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(async () => (await http.GetAsync("/api/events?after=0")).StatusCode == HttpStatusCode.Gone, "the log is pruned");

        var gone = await http.GetAsync("/api/events?after=1");
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
        var problem = await gone.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(6, problem.GetProperty("oldestRetainedRevision").GetInt64());
        var retained = await http.GetFromJsonAsync<JsonElement>("/api/events?after=5");
        Assert.Equal([6L, 7, 8], retained.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("revision").GetInt64()));
    }
}
