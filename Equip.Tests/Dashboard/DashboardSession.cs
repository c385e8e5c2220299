using System.Net.Http.Json;
using System.Text.Json;
using Equip.Scenarios.Harness;
using Equip.Testing;
using Equip.Web.Access;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Equip.Tests.Dashboard;

/// A real installation for one dashboard test: the server as its own process (Kestrel, SQLite),
/// two device simulators (sim-1 and sim-2), and a browser page on the dashboard. Every wait has a
/// deadline; a failing test leaves its screenshot and the page's console in the output.
public sealed class DashboardSession : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// The cookie the sign-in sets.
    public const string SessionCookie = "equip.session";
    private readonly ITestOutputHelper _output;
    private readonly List<string> _console = [];
    private readonly List<IBrowserContext> _contexts = [];

    private DashboardSession(Installation installation, Site site, ITestOutputHelper output)
    {
        Installation = installation;
        Site = site;
        _output = output;
    }

    public Installation Installation { get; }

    public Site Site { get; }

    public IPage Page { get; private set; } = null!;

    public HttpClient Http => Installation.Http;

    /// Where screenshots go: EQUIP_SCREENSHOTS (docs/screenshots to refresh the committed ones), else TestResults/screenshots.
    public static string ScreenshotDirectory =>
        Environment.GetEnvironmentVariable("EQUIP_SCREENSHOTS") is { Length: > 0 } directory
            ? Path.GetFullPath(directory)
            : Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// The installation with its two simulators (none with simulators: false), and a page signed
    /// in to the dashboard (not signed in with signIn: false).
    public static async Task<DashboardSession> StartAsync(Browser browser, ITestOutputHelper output, int width = 1280, int height = 800,
        bool simulators = true, bool signIn = true, ScenarioSettings? store = null)
    {
        var settings = (store ?? ScenarioSettings.Compressed) with { DisconnectGrace = TimeSpan.FromSeconds(3) };
        var installation = await Installation.CreateAsync(settings, TextWriter.Null);
        await installation.StartServerAsync();
        var site = installation.AddSite("lab");
        if (simulators)
        {
            installation.StartSimulator(site, "sim-1", "--label", "room=lab");
            installation.StartSimulator(site, "sim-2", "--label", "room=hall");
        }
        var session = new DashboardSession(installation, site, output);
        session.Page = await session.OpenAsync(browser, width, height, signIn);
        if (simulators)
        {
            await session.UntilAsync(async () => (await installation.ListAsync("/api/containers")).Length == 2, "both simulators publish their containers");
        }
        return session;
    }

    /// A further browser page (a second designer, or the same one after a reload), signed in
    /// unless signIn is false.
    public async Task<IPage> OpenAsync(Browser browser, int width = 1280, int height = 800, bool signIn = true)
    {
        var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout((float)Deadline.TotalMilliseconds);
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            lock (_console)
            {
                _console.Add($"{message.Type}: {message.Text}");
            }
        };
        if (signIn)
        {
            await SignInAsync(page);
        }
        return page;
    }

    public Uri At(string path) => new(Installation.Address, path);

    /// Signs the page's browser in through the sign-in page, with the admin key; returns on the
    /// dashboard's home page.
    public async Task SignInAsync(IPage page)
    {
        await page.GotoAsync(At(DashboardSignIn.Path).ToString());
        await SubmitKeyAsync(page, TestKeys.Admin);
        await Assertions.Expect(page).ToHaveURLAsync(At("/").ToString());
    }

    /// Fills the sign-in form with a key and sends it (the page must show the form); the caller
    /// waits for what the answer should be.
    public static async Task SubmitKeyAsync(IPage page, string key)
    {
        var form = page.GetByRole(AriaRole.Form, new() { Name = "Sign in" });
        await form.GetByLabel("Admin key").FillAsync(key);
        await form.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// The browser's dashboard session cookie, if it has one.
    public static async Task<BrowserContextCookiesResult?> SessionCookieAsync(IPage page) =>
        (await page.Context.CookiesAsync()).SingleOrDefault(c => c.Name == SessionCookie);

    /// Opens a dashboard page and waits until its circuit is live (nothing is clickable before).
    public async Task GotoAsync(string path, IPage? page = null)
    {
        page ??= Page;
        await page.GotoAsync(At(path).ToString());
        await page.Locator("[data-interactive=true]").WaitForAsync();
    }

    /// Opens the graph editor and waits until it has fitted its first view (nodes move then).
    public async Task GotoGraphAsync(IPage? page = null)
    {
        await GotoAsync("/graph", page);
        await (page ?? Page).Locator("[data-testid=graph][data-fitted=true]").WaitForAsync();
    }

    public async Task ShotAsync(string name, IPage? page = null)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await (page ?? Page).ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{name}.png"), FullPage = true });
    }

    public async Task<Guid> RequestAsync(string capability, string container) => await Installation.RequestAsync(capability, container);

    public async Task SetAsync(Guid component, string property, object value)
    {
        var response = await Http.PutAsJsonAsync($"/api/components/{component}/properties/{property}", new { value });
        response.EnsureSuccessStatusCode();
    }

    public Task<JsonElement?> PropertyAsync(Guid component, string name) => Installation.PropertyAsync(component, name);

    public Task UntilAsync(Func<Task<bool>> condition, string what) => Installation.UntilAsync(condition, what, Deadline);

    public IReadOnlyList<string> ConsoleErrors()
    {
        lock (_console)
        {
            return [.. _console.Where(m => m.StartsWith("error", StringComparison.Ordinal))];
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_console)
        {
            foreach (var line in _console)
            {
                _output.WriteLine($"browser {line}");
            }
        }
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }
        if (Installation.ServerOutput is { Length: > 0 } server)
        {
            _output.WriteLine(server);
        }
        await Installation.DisposeAsync();
    }
}
