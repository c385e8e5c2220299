using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Equip.Bench.Dashboard;

/// What the dashboard costs: the server's processor time and the circuit's traffic for one open
/// dashboard while 50 properties change 20 times a second each; and how long the graph editor and
/// the installation tree take to show 20, 200 and 1,000 components with as many links, and how
/// quickly the graph follows a drag.
internal static class DashboardBenchmark
{
    public static async Task RunAsync(BenchOptions options, BenchStores stores, int seconds, int[] sizes)
    {
        await using var browser = await BenchBrowser.StartAsync();
        await LiveLoadAsync(options, stores, browser, seconds);
        Console.WriteLine();
        Console.WriteLine("## First render and dragging, by installation size (SQLite)");
        Console.WriteLine();
        Console.WriteLine("| components (and links) | graph, first open (auto layout) s | graph, reopened s | tree s | node drag ms per step | pan ms per step |");
        Console.WriteLine("| --: | --: | --: | --: | --: | --: |");
        foreach (var size in sizes)
        {
            await FirstRenderAsync(options, stores, browser, size);
        }
    }

    private static async Task LiveLoadAsync(BenchOptions options, BenchStores stores, BenchBrowser browser, int seconds)
    {
        Console.WriteLine($"## One open dashboard while 50 properties change 20 times a second each ({seconds} s per row, SQLite)");
        Console.WriteLine();
        Console.WriteLine("| page open | values stored /s | server CPU ms/s without a browser, before / after | with the page open | the dashboard's share | circuit kB/s | circuit messages/s |");
        Console.WriteLine("| --- | --: | --: | --: | --: | --: | --: |");
        await using var installation = await Installation.StartAsync(await BenchServer.StartAsync(options, stores, "sqlite"), containers: 10);
        await installation.AddComponentsAsync(50);
        using var stop = new CancellationTokenSource();
        var load = ChangeValuesAsync(installation, TimeSpan.FromMilliseconds(50), stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(30)); // the server's code reaches its optimised tier
        // The server alone keeps getting cheaper for a while: each page is measured between two
        // windows without a browser, and its share is what it costs above their mean.
        var before = await MeasureAsync(installation, null, seconds);
        foreach (var path in new[] { "/installation", "/graph", "/" })
        {
            var open = await MeasureAsync(installation, await browser.NewTabAsync(), seconds, path);
            var after = await MeasureAsync(installation, null, seconds);
            var share = open.CpuMsPerSecond - (before.CpuMsPerSecond + after.CpuMsPerSecond) / 2;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {path} | {open.StoredPerSecond:F0} | {before.CpuMsPerSecond:F0} / {after.CpuMsPerSecond:F0} | {open.CpuMsPerSecond:F0} | {share:F0} | {open.KilobytesPerSecond:F1} | {open.MessagesPerSecond:F1} |"));
            before = after;
        }
        stop.Cancel();
        await load;
    }

    private sealed record Window(double StoredPerSecond, double CpuMsPerSecond, double KilobytesPerSecond, double MessagesPerSecond);

    /// One measured window, with the page open in the tab (closed afterwards), or without a browser.
    private static async Task<Window> MeasureAsync(Installation installation, BenchBrowser.Tab? tab, int seconds, string? path = null)
    {
        await using var _ = tab;
        if (tab is not null)
        {
            await tab.GotoAsync(installation.Server!.Address, path!);
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        var (bytes, frames) = tab?.Traffic ?? (0, 0);
        var cpu = installation.Server!.ProcessorTime!.Value;
        var revision = await installation.RevisionAsync();
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var elapsed = clock.Elapsed.TotalSeconds;
        var (bytesAfter, framesAfter) = tab?.Traffic ?? (0, 0);
        return new Window(
            (await installation.RevisionAsync() - revision) / elapsed,
            (installation.Server!.ProcessorTime!.Value - cpu).TotalMilliseconds / elapsed,
            (bytesAfter - bytes) / elapsed / 1024,
            (framesAfter - frames) / elapsed);
    }

    /// Every period, each component's value is set anew on its device.
    private static async Task ChangeValuesAsync(Installation installation, TimeSpan period, CancellationToken stop)
    {
        var levels = installation.Levels.ToList();
        using var timer = new PeriodicTimer(period);
        var tick = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                tick++;
                for (var i = 0; i < levels.Count; i++)
                {
                    levels[i].Value.Value = tick + i / 100.0;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task FirstRenderAsync(BenchOptions options, BenchStores stores, BenchBrowser browser, int size)
    {
        await using var installation = await Installation.StartAsync(await BenchServer.StartAsync(options, stores, "sqlite"), containers: Math.Min(10, size));
        await installation.AddComponentsAsync(size);
        await installation.AddRingOfLinksAsync();
        await Installation.UntilAsync(() => AllActiveAsync(installation).GetAwaiter().GetResult(), "every link is active");

        double first, reopened, tree;
        await using (var tab = await browser.NewTabAsync())
        {
            first = await TimeAsync(async () =>
            {
                await tab.GotoAsync(installation.Server!.Address, "/graph");
                await tab.UntilCountAsync(".diagram-node", size);
                await tab.UntilCountAsync("g.diagram-link path", size);
            });
        }
        await Installation.UntilAsync(() => PositionsAsync(installation).GetAwaiter().GetResult() >= size, "the layout is kept");
        string drag, pan;
        await using (var tab = await browser.NewTabAsync())
        {
            reopened = await TimeAsync(async () =>
            {
                await tab.GotoAsync(installation.Server!.Address, "/graph");
                await tab.UntilCountAsync(".diagram-node", size);
                await tab.UntilCountAsync("g.diagram-link path", size);
            });
            var node = await VisibleNodeAsync(tab.Page);
            var header = (await tab.Page.Locator($".diagram-node[data-node-id='{node}'] header").BoundingBoxAsync())!;
            drag = (await DragAsync(tab.Page, header.X + 20, header.Y + 8, $".diagram-node[data-node-id='{node}']", 10)).ToString("F0", CultureInfo.InvariantCulture);
            var (emptyX, emptyY) = await EmptySpotAsync(tab.Page);
            pan = (await DragAsync(tab.Page, emptyX, emptyY, ".diagram-html-layer", 10)).ToString("F0", CultureInfo.InvariantCulture);
        }
        await using (var tab = await browser.NewTabAsync())
        {
            tree = await TimeAsync(async () =>
            {
                await tab.GotoAsync(installation.Server!.Address, "/installation");
                await tab.UntilCountAsync("[data-testid^='component-']", size);
            });
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {size} | {first:F2} | {reopened:F2} | {tree:F2} | {drag} | {pan} |"));
    }

    private static async Task<double> TimeAsync(Func<Task> work)
    {
        var clock = Stopwatch.StartNew();
        await work();
        return clock.Elapsed.TotalSeconds;
    }

    /// Drags in steps, each waiting until the dragged element's style has followed: the time a
    /// step takes from the pointer's move to the server's answer on screen.
    private static async Task<double> DragAsync(IPage page, double x, double y, string moved, int steps)
    {
        await page.Mouse.MoveAsync((float)x, (float)y);
        await page.Mouse.DownAsync();
        var clock = Stopwatch.StartNew();
        for (var step = 1; step <= steps; step++)
        {
            var before = await page.Locator(moved).First.GetAttributeAsync("style");
            await page.Mouse.MoveAsync((float)(x + step * 12), (float)(y + step * 6));
            await page.WaitForFunctionAsync("([s, b]) => document.querySelector(s).getAttribute('style') !== b", new object?[] { moved, before }, new() { PollingInterval = 5 });
        }
        var elapsed = clock.Elapsed.TotalMilliseconds / steps;
        await page.Mouse.UpAsync();
        return elapsed;
    }

    /// A point of the canvas's background (no node there), to pan from.
    private static async Task<(double X, double Y)> EmptySpotAsync(IPage page)
    {
        var spot = await page.EvaluateAsync<double[]>("""
            () => {
              const c = document.querySelector('.diagram-canvas').getBoundingClientRect();
              for (let y = c.top + 10; y < c.bottom - 10; y += 15)
                for (let x = c.left + 10; x < c.right - 210; x += 15) {
                  const e = document.elementFromPoint(x, y);
                  if (e && (e.classList.contains('diagram-canvas') || e.tagName === 'svg' || e.classList.contains('diagram-html-layer'))) return [x, y];
                }
              return [c.left + 5, c.top + 5];
            }
            """);
        return (spot[0], spot[1]);
    }

    /// A node wholly inside the canvas as first shown, to be dragged.
    private static async Task<string> VisibleNodeAsync(IPage page) =>
        await page.EvaluateAsync<string>("""
            () => {
              const canvas = document.querySelector('.diagram-canvas').getBoundingClientRect();
              const inside = [...document.querySelectorAll('.diagram-node')].find(n => {
                const r = n.getBoundingClientRect();
                return r.left > canvas.left && r.top > canvas.top && r.right < canvas.right - 200 && r.bottom < canvas.bottom - 150;
              });
              return inside.getAttribute('data-node-id');
            }
            """);

    private static async Task<bool> AllActiveAsync(Installation installation)
    {
        var links = await installation.Http.GetFromJsonAsync<JsonElement[]>("/api/links") ?? [];
        return links.Length == installation.Requests.Count && links.All(l => l.GetProperty("status").GetString() == "active");
    }

    private static async Task<int> PositionsAsync(Installation installation) =>
        (await installation.Http.GetFromJsonAsync<JsonElement[]>("/api/items?type=dashboard.NodePosition&limit=1000") ?? []).Length;
}
