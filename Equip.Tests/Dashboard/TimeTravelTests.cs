using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Scenarios.Harness;
using Equip.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Equip.Tests.Dashboard;

/// The Graph and Installation pages as they were at an earlier revision (docs/dashboard.md,
/// "Time travel"), in real Chromium, on both stores: the past shows what was there then (a link
/// since deleted, a value since changed), read-only; "Back to live" shows the present again; the
/// recovery timeline's links land on a revision.
public abstract class TimeTravelTests(Browser browser, ITestOutputHelper output) : IAsyncLifetime
{
    private DashboardSession _session = null!;

    private IPage Page => _session.Page;

    protected abstract Task<ScenarioSettings> StoreAsync();

    public async Task InitializeAsync() => _session = await DashboardSession.StartAsync(browser, output, store: await StoreAsync());

    public async Task DisposeAsync() => await _session.DisposeAsync();

    [Fact]
    public async Task ThePagesShowTheInstallationAsItWasReadOnlyAndComeBackToLive()
    {
        var slider = await _session.RequestAsync("Slider", "sim-1");
        var display = await _session.RequestAsync("Display", "sim-2");
        await _session.UntilAsync(async () => await _session.PropertyAsync(slider, "value") is not null && await _session.PropertyAsync(display, "text") is not null, "both run");
        var link = await _session.Installation.LinkAsync(slider, "value", display, "text");
        await _session.SetAsync(slider, "value", 0.25);
        await _session.UntilAsync(async () => (await _session.PropertyAsync(display, "text"))?.GetString() == "0.25", "the display shows 0.25");
        var then = await CurrentRevisionAsync();
        await _session.SetAsync(slider, "value", 0.75);
        await _session.UntilAsync(async () => (await _session.PropertyAsync(display, "text"))?.GetString() == "0.75", "the display shows 0.75");
        Assert.Equal(HttpStatusCode.NoContent, (await _session.Http.DeleteAsync($"/api/links/{link}")).StatusCode);

        await _session.GotoAsync($"/installation?at={then}");
        await Expect(Page.GetByTestId("time-shown")).ToHaveTextAsync($"At revision {then}");
        var sliderThen = Page.GetByTestId($"component-{slider}").GetByTestId("property-value");
        await Expect(sliderThen.GetByTestId("value")).ToHaveTextAsync("0.25");
        Assert.Equal(0, await Page.GetByRole(AriaRole.Button, new() { Name = "Set" }).CountAsync()); // read-only
        await _session.ShotAsync("installation-past");

        await _session.GotoAsync($"/graph?at={then}");
        await (Page.Locator("[data-testid=graph][data-fitted=true]")).WaitForAsync();
        await Expect(Page.Locator("g.diagram-link")).ToHaveCountAsync(1); // the link deleted since
        await Expect(Page.GetByTestId($"node-{display}").GetByTestId("node-value-text")).ToHaveTextAsync("0.25");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Add a component" })).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.List, new() { Name = "Events around this revision" })).ToContainTextAsync(then.ToString());
        await _session.ShotAsync("graph-past");

        await Page.GetByTestId("time-live").ClickAsync();
        await Expect(Page.GetByTestId("time-shown")).ToHaveTextAsync("live");
        await Expect(Page.Locator("g.diagram-link")).ToHaveCountAsync(0);
        await Expect(Page.GetByTestId($"node-{display}").GetByTestId("node-value-text")).ToHaveTextAsync("0.75");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Add a component" })).ToBeVisibleAsync();

        // Live again: a selected node's panel fits the page (its Set button in view), and renames it.
        await Page.GetByTestId($"node-{slider}").Locator("header").ClickAsync();
        var panel = Page.GetByRole(AriaRole.Complementary, new() { Name = "Graph tools" });
        await Expect(panel.GetByRole(AriaRole.Heading, new() { Name = "Slider 1" })).ToBeVisibleAsync();
        await Expect(panel.GetByRole(AriaRole.Button, new() { Name = "Set" })).ToBeInViewportAsync();
        Assert.True(await Page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth") <= 0, "the page is no wider than the window");
        await panel.GetByLabel("New name").FillAsync("Stage slider");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Rename" }).ClickAsync();
        await Expect(Page.GetByTestId($"node-{slider}").GetByTestId("node-title")).ToHaveTextAsync("Stage slider");

        // A recovery-timeline entry's "just after" lands on the revision of that moment.
        await _session.GotoAsync("/peers");
        await Page.GetByTestId("timeline-sim-1").GetByTestId("just-after").First.ClickAsync();
        await Expect(Page.GetByTestId("time-shown")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^At revision \d+$"));
        Assert.Contains("/graph?at=", Page.Url);
        Assert.Empty(_session.ConsoleErrors());
    }

    private async Task<long> CurrentRevisionAsync() =>
        (await _session.Http.GetFromJsonAsync<JsonElement>("/api/events?after=0&limit=1")).GetProperty("currentRevision").GetInt64();
}

[Collection(DashboardCollection.Name)]
public sealed class SqliteTimeTravelTests(Browser browser, ITestOutputHelper output) : TimeTravelTests(browser, output)
{
    protected override Task<ScenarioSettings> StoreAsync() => Task.FromResult(ScenarioSettings.Compressed);
}

/// With the dashboard tests (which run alone), on a PostgreSQL cluster of its own.
[Collection(DashboardCollection.Name)]
public sealed class PostgresTimeTravelTests(PostgresFixture postgres, Browser browser, ITestOutputHelper output)
    : TimeTravelTests(browser, output), IClassFixture<PostgresFixture>
{
    protected override Task<ScenarioSettings> StoreAsync() =>
        Task.FromResult(ScenarioSettings.Compressed with { Provider = StoreProvider.Postgres, NewPostgresDatabase = postgres.NewDatabaseAsync });
}
