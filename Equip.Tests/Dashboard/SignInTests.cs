using System.Net;
using System.Text.RegularExpressions;
using Equip.Protocol;
using Equip.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Equip.Tests.Dashboard;

/// The dashboard's sign-in and sign-out in real Chromium: the admin key for a session cookie.
[Collection(DashboardCollection.Name)]
public sealed class SignInTests(Browser browser, ITestOutputHelper output) : IAsyncLifetime
{
    private DashboardSession _session = null!;

    private IPage Page => _session.Page;

    public async Task InitializeAsync() => _session = await DashboardSession.StartAsync(browser, output, simulators: false, signIn: false);

    public async Task DisposeAsync() => await _session.DisposeAsync();

    [Fact]
    public async Task WithoutASessionTheDashboardAsksForTheSignIn()
    {
        await Page.GotoAsync(_session.At("/").ToString());

        await Expect(Page).ToHaveURLAsync(_session.At("/signin?ReturnUrl=%2F").ToString());
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Main)).ToContainTextAsync("admin.key");
        Assert.Equal(0, await Page.GetByRole(AriaRole.Navigation).CountAsync()); // nothing of the dashboard
        await _session.ShotAsync("signin");
    }

    [Fact]
    public async Task AWrongKeyIsRefusedAndSetsNoSessionCookie()
    {
        await Page.GotoAsync(_session.At("/peers").ToString());
        await DashboardSession.SubmitKeyAsync(Page, TestKeys.Admin + "x");

        await Expect(Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That is not the admin key.");
        await Expect(Page.GetByLabel("Admin key")).ToHaveValueAsync(""); // not sent back
        Assert.Null(await DashboardSession.SessionCookieAsync(Page));
        await Page.GotoAsync(_session.At("/peers").ToString());
        await Expect(Page).ToHaveURLAsync(new Regex("/signin\\?ReturnUrl=%2Fpeers$"));
    }

    [Fact]
    public async Task TheAdminKeySignsInAndLandsOnThePageAskedFor()
    {
        await Page.GotoAsync(_session.At("/peers").ToString());
        await Expect(Page).ToHaveURLAsync(new Regex("/signin\\?ReturnUrl=%2Fpeers$"));
        await DashboardSession.SubmitKeyAsync(Page, TestKeys.Admin);

        await Expect(Page).ToHaveURLAsync(_session.At("/peers").ToString());
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Peers", Level = 1 })).ToBeVisibleAsync();
        await Page.Locator("[data-interactive=true]").WaitForAsync(); // the circuit is up, signed in too
        var cookie = await DashboardSession.SessionCookieAsync(Page);
        Assert.NotNull(cookie);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
    }

    [Fact]
    public async Task ASignInLinkToAnotherSiteLandsOnTheDashboardInstead()
    {
        foreach (var elsewhere in new[] { "https://elsewhere.example/", "//elsewhere.example/", "/\\elsewhere.example/", "/\t/elsewhere.example/" })
        {
            var page = await _session.OpenAsync(browser, signIn: false); // a browser of its own: not signed in
            await page.GotoAsync(_session.At("/signin?ReturnUrl=" + Uri.EscapeDataString(elsewhere)).ToString());
            await DashboardSession.SubmitKeyAsync(page, TestKeys.Admin);
            await Expect(page).ToHaveURLAsync(_session.At("/").ToString());
        }
    }

    [Fact]
    public async Task SigningOutEndsTheSession()
    {
        await _session.SignInAsync(Page);
        await _session.GotoAsync("/links");
        Assert.NotNull(await DashboardSession.SessionCookieAsync(Page));

        await Page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(Page).ToHaveURLAsync(_session.At("/signin").ToString());
        Assert.Null(await DashboardSession.SessionCookieAsync(Page));
        await Page.GotoAsync(_session.At("/").ToString());
        await Expect(Page).ToHaveURLAsync(_session.At("/signin?ReturnUrl=%2F").ToString());
    }

    /// A sign-out ends the session on the server: a copy of the cookie (another browser) is
    /// refused, and the session's open pages, in this browser or that one, go to the sign-in.
    [Fact]
    public async Task SigningOutRefusesEveryCopyOfTheCookieAndSendsItsOpenPagesToTheSignIn()
    {
        await _session.SignInAsync(Page);
        var cookie = await DashboardSession.SessionCookieAsync(Page);
        var otherTab = await Page.Context.NewPageAsync();
        await _session.GotoAsync("/peers", otherTab);
        var elsewhere = await _session.OpenAsync(browser, signIn: false); // another browser, holding a copy of the cookie
        Assert.NotNull(cookie);
        await elsewhere.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = cookie.Name, Value = cookie.Value, Domain = cookie.Domain, Path = cookie.Path }]);
        await _session.GotoAsync("/links", elsewhere);
        using var copied = CopiedCookieClient(cookie!.Value);
        Assert.Equal(HttpStatusCode.OK, (await copied.GetAsync("/links")).StatusCode);

        await _session.GotoAsync("/constants");
        await Page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(_session.At("/signin").ToString());

        var refused = await copied.GetAsync("/links");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal(_session.At("/signin?ReturnUrl=%2Flinks"), refused.Headers.Location);
        Assert.Equal(HttpStatusCode.Unauthorized, (await copied.GetAsync("/api/items")).StatusCode);
        await Expect(elsewhere).ToHaveURLAsync(_session.At("/signin").ToString());
        await Expect(otherTab).ToHaveURLAsync(_session.At("/signin").ToString());
        await Expect(elsewhere.GetByRole(AriaRole.Form, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    /// A hub connection made with the dashboard's cookie (a script in a signed-in browser) is
    /// closed by the sign-out, as a device's connection is by its key's revocation.
    [Fact]
    public async Task SigningOutClosesTheHubConnectionsMadeWithTheSessionsCookie()
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = _session.Installation.Address };
        var signIn = new Dictionary<string, string> { ["_handler"] = "signin", ["Input.Key"] = TestKeys.Admin };
        Assert.Equal(HttpStatusCode.Redirect, (await http.PostAsync("/signin", new FormUrlEncodedContent(signIn.Append(await AntiforgeryTokenAsync(http, "/signin"))))).StatusCode);
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(_session.Installation.Address, HubNames.Path), o => o.Cookies = cookies)
            .WithKeepAliveInterval(TimeSpan.FromMilliseconds(300)) // within the server's compressed client timeout (2 s)
            .Build();
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };
        await hub.StartAsync().WaitAsync(DashboardSession.Deadline);
        Assert.NotNull(await hub.InvokeAsync<RegisterResponse>(HubNames.Register, new RegisterRequest { PeerId = "script", Incarnation = "a", Name = "script" }).WaitAsync(DashboardSession.Deadline));

        var signOut = new Dictionary<string, string> { ["_handler"] = "signout" };
        Assert.Equal(HttpStatusCode.Redirect, (await http.PostAsync("/signout", new FormUrlEncodedContent(signOut.Append(await AntiforgeryTokenAsync(http, "/signout"))))).StatusCode);

        var reason = await closed.Task.WaitAsync(DashboardSession.Deadline);
        Assert.Equal(HubErrors.KeyRevoked, HubErrors.CodeOf(reason?.Message));
    }

    /// Ended sessions are kept in the store: a restart does not bring a signed-out cookie back.
    [Fact]
    public async Task ASignedOutCookieStaysRefusedAfterARestart()
    {
        await _session.SignInAsync(Page);
        var cookie = await DashboardSession.SessionCookieAsync(Page);
        await Page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(_session.At("/signin").ToString());
        await _session.SignInAsync(Page); // a new session, which the restart keeps
        var kept = await DashboardSession.SessionCookieAsync(Page);

        await _session.Installation.KillServerAsync();
        await _session.Installation.StartServerAsync();

        using var signedOut = CopiedCookieClient(cookie!.Value);
        Assert.Equal(HttpStatusCode.Redirect, (await signedOut.GetAsync("/links")).StatusCode);
        using var signedIn = CopiedCookieClient(kept!.Value);
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/links")).StatusCode);
    }

    private HttpClient CopiedCookieClient(string value)
    {
        var cookies = new CookieContainer();
        cookies.Add(_session.Installation.Address, new System.Net.Cookie(DashboardSession.SessionCookie, value));
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
        {
            BaseAddress = _session.Installation.Address,
            Timeout = DashboardSession.Deadline,
        };
    }

    /// Blazor's antiforgery guards both forms: a post without the token (a form on another site)
    /// is refused, the same post with the page's token is taken.
    [Fact]
    public async Task PostsToTheSignInAndTheSignOutWithoutTheAntiforgeryTokenAreRefused()
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = _session.Installation.Address };
        var token = await AntiforgeryTokenAsync(http, "/signin");
        var signIn = new Dictionary<string, string> { ["_handler"] = "signin", ["Input.Key"] = TestKeys.Admin };

        var forged = await http.PostAsync("/signin", new FormUrlEncodedContent(signIn));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.DoesNotContain(cookies.GetAllCookies(), c => c.Name == DashboardSession.SessionCookie);
        var signedIn = await http.PostAsync("/signin", new FormUrlEncodedContent(signIn.Append(token)));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Contains(cookies.GetAllCookies(), c => c.Name == DashboardSession.SessionCookie);

        var signOut = new Dictionary<string, string> { ["_handler"] = "signout" };
        var forgedOut = await http.PostAsync("/signout", new FormUrlEncodedContent(signOut));
        Assert.Equal(HttpStatusCode.BadRequest, forgedOut.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/links")).StatusCode); // still signed in
        var signedOut = await http.PostAsync("/signout", new FormUrlEncodedContent(signOut.Append(await AntiforgeryTokenAsync(http, "/signout"))));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await http.GetAsync("/links")).StatusCode); // to the sign-in
    }

    /// The dashboard is the admin's: a device key opens neither its pages nor its circuit.
    [Fact]
    public async Task ADeviceKeyOpensNeitherTheDashboardNorItsCircuit()
    {
        var made = await _session.Installation.PostAsync("/api/keys", new { name = "a lamp" });
        using var device = TestHttp.Client(_session.Installation.Address, DashboardSession.Deadline, made.GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.OK, (await device.GetAsync("/api/items")).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await device.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await device.GetAsync("/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await device.PostAsync("/_blazor/negotiate?negotiateVersion=1", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _session.Http.GetAsync("/")).StatusCode); // the admin key does
    }

    private static async Task<KeyValuePair<string, string>> AntiforgeryTokenAsync(HttpClient http, string page)
    {
        var html = await http.GetStringAsync(page);
        var token = Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
        Assert.True(token.Success, $"{page} carries no antiforgery token");
        return new("__RequestVerificationToken", token.Groups[1].Value);
    }
}
