using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Equip.Tests.Dashboard;

/// The dashboard on a phone-sized screen (390×844): the menu folds away, the request form and the
/// links list work there, and no page is wider than the screen.
[Collection(DashboardCollection.Name)]
public sealed class PhoneDashboardTests(Browser browser, ITestOutputHelper output) : IAsyncLifetime
{
    private DashboardSession _session = null!;

    private IPage Page => _session.Page;

    public async Task InitializeAsync() => _session = await DashboardSession.StartAsync(browser, output, 390, 844);

    public async Task DisposeAsync() => await _session.DisposeAsync();

    [Fact]
    public async Task OnAPhoneTheRequestFormAndTheLinksListWork()
    {
        await _session.GotoAsync("/");
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Requests" })).ToBeHiddenAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Menu" }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Requests" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Component requests" })).ToBeVisibleAsync();

        var form = Page.GetByRole(AriaRole.Form, new() { Name = "New component request" });
        await form.GetByLabel("Capability", new() { Exact = true }).SelectOptionAsync("Counter");
        await form.GetByLabel("on any container a selector accepts").CheckAsync();
        await form.GetByLabel("Labels (optional)").FillAsync("room=hall");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create request" }).ClickAsync();
        var row = Page.GetByTestId("requests").Locator("tbody tr", new() { HasText = "Counter" });
        await Expect(row.GetByTestId("status")).ToHaveTextAsync("running");
        await Expect(row).ToContainTextAsync("sim-2"); // the only container labelled room=hall
        await AssertFitsTheScreenAsync("requests");
        await _session.ShotAsync("phone-requests");

        var slider = await _session.RequestAsync("Slider", "sim-1");
        var display = await _session.RequestAsync("Display", "sim-2");
        await _session.UntilAsync(async () => await _session.PropertyAsync(display, "text") is not null, "the display runs");
        await _session.GotoAsync("/links");
        var create = Page.GetByRole(AriaRole.Form, new() { Name = "New link" });
        await create.GetByLabel("Source component").SelectOptionAsync(slider.ToString());
        await create.GetByLabel("Source property").SelectOptionAsync("value");
        var destinations = create.GetByLabel("Destination component");
        await Expect(destinations.Locator($"option[value='{display}']")).ToHaveCountAsync(1); // a number always reads as text
        await Expect(destinations.Locator("option", new() { HasText = "Counter" })).ToHaveCountAsync(0); // an integer cannot take every number
        await Expect(destinations.Locator($"option[value='{slider}']")).ToHaveCountAsync(0); // not itself
        await destinations.SelectOptionAsync(display.ToString());
        await create.GetByLabel("Destination property").SelectOptionAsync("text");
        await create.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();

        await Expect(create.GetByTestId("link-made")).ToContainTextAsync("Linked Slider");
        var link = Page.GetByTestId("links").Locator("tbody tr");
        await Expect(link).ToHaveCountAsync(1);
        await Expect(link.GetByTestId("status")).ToHaveTextAsync("active");
        await _session.SetAsync(slider, "value", 0.5);
        await Expect(link.GetByTestId("value")).ToHaveTextAsync("0.5");
        await _session.UntilAsync(async () => (await _session.PropertyAsync(display, "text"))?.GetString() == "0.5", "the display shows the slider's value");
        await AssertFitsTheScreenAsync("links");
        await _session.ShotAsync("phone-links");
        await link.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Delete link") }).ClickAsync();
        await Expect(link).ToHaveCountAsync(0);
        Assert.Empty(await _session.Installation.ListAsync("/api/links"));
    }

    [Fact]
    public async Task EveryPageFitsAPhoneScreen()
    {
        var slider = await _session.RequestAsync("Slider", "sim-1");
        var display = await _session.RequestAsync("Display", "sim-2");
        await _session.Installation.LinkAsync(slider, "value", display, "text");
        await _session.UntilAsync(async () => await _session.PropertyAsync(display, "text") is not null, "the display runs");
        foreach (var (path, name) in new[]
        {
            ("/", "overview"), ("/installation", "installation"), ("/graph", "graph"), ("/requests", "requests"), ("/links", "links"),
            ("/constants", "constants"), ("/peers", "peers"), ("/events", "events"), ("/items", "items"), ("/file", "installation-file"),
            ("/keys", "keys"), ("/graph?at=1", "graph-past"),
        })
        {
            await _session.GotoAsync(path);
            await Expect(Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            await AssertFitsTheScreenAsync(path);
            await _session.ShotAsync($"phone-{name}");
        }
    }

    private async Task AssertFitsTheScreenAsync(string page)
    {
        var overflow = await Page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"{page} is {overflow} px wider than the screen");
    }
}
