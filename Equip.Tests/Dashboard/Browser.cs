using Microsoft.Playwright;

namespace Equip.Tests.Dashboard;

/// One headless Chromium (Debian's, through Playwright) for the dashboard tests; each test opens
/// its own context. scripts/test.sh installs the chromium package when it is missing.
public sealed class Browser : IAsyncLifetime
{
    public const string Executable = "/usr/bin/chromium";
    private IPlaywright? _playwright;

    public IBrowser Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install Debian's chromium package (scripts/test.sh does).");
        }
        _playwright = await Playwright.CreateAsync();
        Chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null)
        {
            await Chromium.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}

/// Runs alone, after the tests that run in parallel: a browser, a server and two simulators per
/// test are a heavy load on two cores for the timing-sensitive tests around them.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DashboardCollection : ICollectionFixture<Browser>
{
    public const string Name = "Dashboard";
}
