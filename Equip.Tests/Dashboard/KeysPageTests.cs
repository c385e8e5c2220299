using System.Net;
using Equip.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Equip.Tests.Dashboard;

/// The Keys page in real Chromium: device keys made, shown once and revoked through the same
/// service as /api/keys, and the keys doing (or no longer doing) what REST lets them.
[Collection(DashboardCollection.Name)]
public sealed class KeysPageTests(Browser browser, ITestOutputHelper output) : IAsyncLifetime
{
    private DashboardSession _session = null!;

    private IPage Page => _session.Page;

    private ILocator NewKey => Page.GetByRole(AriaRole.Form, new() { Name = "New device key" });

    public async Task InitializeAsync() => _session = await DashboardSession.StartAsync(browser, output, simulators: false);

    public async Task DisposeAsync() => await _session.DisposeAsync();

    [Fact]
    public async Task AKeyMadeOnThePageIsShownOnceWorksOnRestAndIsRefusedOnceRevoked()
    {
        await _session.GotoAsync("/");
        await Page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Keys", Exact = true }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Device keys", Level = 1 })).ToBeVisibleAsync();
        await NewKey.GetByLabel("Name").FillAsync("hall lamps");
        await NewKey.GetByLabel("Container ids (optional, comma-separated)").FillAsync("lamp-1, lamp-2");
        await NewKey.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();

        var made = Page.GetByTestId("made-key");
        await Expect(made).ToContainTextAsync("it is not shown again");
        var secret = await made.GetByTestId("made-key-secret").InputValueAsync();
        Assert.StartsWith("eqd_", secret);
        var row = Page.GetByTestId("keys").Locator("tbody tr", new() { HasText = "hall lamps" });
        await Expect(row.GetByTestId("key-prefix")).ToHaveTextAsync(secret[..10] + "…");
        await Expect(row.Locator("td[data-label=Containers]")).ToHaveTextAsync("lamp-1, lamp-2");
        await Expect(row.Locator("td[data-label=Peers]")).ToHaveTextAsync("any");
        await Expect(row.GetByTestId("key-state")).ToHaveTextAsync("active");
        using var device = TestHttp.Client(_session.Installation.Address, DashboardSession.Deadline, secret);
        Assert.Equal(HttpStatusCode.OK, (await device.GetAsync("/api/items")).StatusCode);
        await made.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        await Expect(made.GetByTestId("made-key-secret")).ToBeFocusedAsync(); // selected, for the clipboard or Ctrl+C
        await _session.ShotAsync("keys");

        await made.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Expect(made).ToHaveCountAsync(0);
        await Page.ReloadAsync();
        await Expect(row.GetByTestId("key-state")).ToHaveTextAsync("active");
        Assert.DoesNotContain(secret, await Page.ContentAsync()); // shown once

        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke hall lamps" }).ClickAsync();
        await row.GetByTestId("revoke-confirm").GetByRole(AriaRole.Button, new() { Name = "Revoke key" }).ClickAsync();
        await Expect(row.GetByTestId("key-state")).ToContainTextAsync("revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, (await device.GetAsync("/api/items")).StatusCode);
        var listed = Assert.Single(await _session.Installation.ListAsync("/api/keys"));
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, listed.GetProperty("revokedAt").ValueKind);
        Assert.Empty(_session.ConsoleErrors());
    }

    [Fact]
    public async Task ARefusedKeyIsExplainedOnThePageAndRevokingWaitsForTheConfirmation()
    {
        await _session.GotoAsync("/keys");
        await NewKey.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync(); // no name

        await Expect(NewKey.GetByRole(AriaRole.Alert)).ToContainTextAsync("A key needs a name");
        await Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "No device keys yet." })).ToBeVisibleAsync();
        await NewKey.GetByLabel("Name").FillAsync("a lamp");
        await NewKey.GetByLabel("Peer ids (optional, comma-separated)").FillAsync("lamp-1");
        await NewKey.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync(); // the circuit lives on
        await Expect(NewKey.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        var secret = await Page.GetByTestId("made-key-secret").InputValueAsync();
        var row = Page.GetByTestId("keys").Locator("tbody tr", new() { HasText = "a lamp" });
        await Expect(row.Locator("td[data-label=Peers]")).ToHaveTextAsync("lamp-1");

        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke a lamp" }).ClickAsync();
        await row.GetByTestId("revoke-confirm").GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(row.GetByTestId("revoke-confirm")).ToHaveCountAsync(0);
        await Expect(row.GetByTestId("key-state")).ToHaveTextAsync("active");
        using var device = TestHttp.Client(_session.Installation.Address, DashboardSession.Deadline, secret);
        Assert.Equal(HttpStatusCode.OK, (await device.GetAsync("/api/items")).StatusCode);
    }
}
