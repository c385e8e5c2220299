namespace Equip.Testing;

/// Debian's Chromium as the dashboard tests and the benchmark launch it (through Playwright, which
/// downloads no browser here): headless, with the background traffic a closed network refuses off.
public static class Chromium
{
    public const string Executable = "/usr/bin/chromium";

    public static readonly IReadOnlyList<string> Arguments =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];
}
