using Microsoft.Playwright;

namespace Equip.Tests.Dashboard;

/// One headless Chromium (Debian's, through Playwright) for the dashboard tests; each test opens
/// its own context. scripts/test.sh installs the chromium package when it is missing.
public sealed class Browser : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Equip.Testing.Chromium.Executable))
        {
            throw new InvalidOperationException($"{Equip.Testing.Chromium.Executable} is missing: install Debian's chromium package (scripts/test.sh does).");
        }
        _playwright = await Playwright.CreateAsync();
        Chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Equip.Testing.Chromium.Executable,
            Headless = true,
            Args = Equip.Testing.Chromium.Arguments,
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
