using System.Text;
using Microsoft.Playwright;

namespace Equip.Bench.Dashboard;

/// Debian's Chromium through Playwright, and what one dashboard page receives over its circuit.
internal sealed class BenchBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BenchBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static async Task<BenchBrowser> StartAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Equip.Testing.Chromium.Executable,
            Headless = true,
            Args = Equip.Testing.Chromium.Arguments,
        });
        return new BenchBrowser(playwright, browser);
    }

    /// A new page in a context of its own, not yet on any address.
    public async Task<Tab> NewTabAsync()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(180_000);
        var page = await context.NewPageAsync();
        var tab = new Tab(context, page);
        page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) => tab.Received(frame.Binary?.Length ?? Encoding.UTF8.GetByteCount(frame.Text ?? ""));
        return tab;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    public sealed class Tab(IBrowserContext context, IPage page) : IAsyncDisposable
    {
        private long _bytes;
        private long _frames;

        public IPage Page => page;

        /// Opens a dashboard page (signing in with the bench's key when asked to) and waits until
        /// its circuit is live.
        public async Task GotoAsync(Uri server, string path)
        {
            await page.GotoAsync(new Uri(server, path).ToString());
            if (new Uri(page.Url).AbsolutePath == "/signin")
            {
                var form = page.GetByRole(AriaRole.Form, new() { Name = "Sign in" });
                await form.GetByLabel("Admin key").FillAsync(BenchKey.Value);
                await form.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
                await page.WaitForURLAsync(new Uri(server, path).ToString());
            }
            await page.Locator("[data-interactive=true]").WaitForAsync();
        }

        /// Waits until the page holds at least count elements matching the selector.
        public Task UntilCountAsync(string selector, int count) =>
            page.WaitForFunctionAsync("([s, n]) => document.querySelectorAll(s).length >= n", new object[] { selector, count }, new() { PollingInterval = 20 });

        public (long Bytes, long Frames) Traffic => (Interlocked.Read(ref _bytes), Interlocked.Read(ref _frames));

        public void Received(int bytes)
        {
            Interlocked.Add(ref _bytes, bytes);
            Interlocked.Increment(ref _frames);
        }

        public ValueTask DisposeAsync() => context.DisposeAsync();
    }
}
