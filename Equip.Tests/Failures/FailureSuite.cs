using Equip.Scenarios.Harness;
using Equip.Scenarios.Scenarios;
using Equip.Tests.Support;
using Xunit.Abstractions;

namespace Equip.Tests.Failures;

/// The failure suite: every scenario of Equip.Scenarios (F1-F4, the server starting after the
/// devices, a device and the server restarting together, a reconnect storm) injected into real
/// processes (the server, device simulators, a fault-injecting proxy per site) with compressed
/// timings, on both stores. A scenario throws when the installation misbehaves; the recovery
/// times it measures are written to the test output (the figures in docs/recovery.md come from
/// the Equip.Scenarios tool, not from here).
public abstract class FailureSuite(ITestOutputHelper output)
{
    protected abstract Task<ScenarioSettings> SettingsAsync();

    public static TheoryData<string> Scenarios() => [.. Catalog.All.Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task TheInstallationRecovers(string scenario)
    {
        using var log = new StringWriter();
        var report = await Catalog.Named(scenario).RunAsync(await SettingsAsync(), log);

        foreach (var recovery in report.Recoveries)
        {
            output.WriteLine($"{recovery.Time.TotalMilliseconds,8:0} ms  {recovery.What}");
        }
        output.WriteLine(string.Join("\n", report.Checks.Select(c => $"checked: {c}")));
        Assert.NotEmpty(report.Recoveries);
        Assert.NotEmpty(report.Checks);
    }
}

/// Runs alone, after the tests that run in parallel: its compressed timings (a 30 s deadline for
/// recoveries) must not compete for the two cores with browsers and other servers.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FailureSuiteCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "Failure suite";
}

[Collection(FailureSuiteCollection.Name)]
public sealed class SqliteFailureSuite(ITestOutputHelper output) : FailureSuite(output)
{
    protected override Task<ScenarioSettings> SettingsAsync() =>
        Task.FromResult(ScenarioSettings.Compressed with { Provider = StoreProvider.Sqlite });
}

[Collection(FailureSuiteCollection.Name)]
public sealed class PostgresFailureSuite(ITestOutputHelper output, PostgresFixture postgres) : FailureSuite(output)
{
    protected override Task<ScenarioSettings> SettingsAsync() =>
        Task.FromResult(ScenarioSettings.Compressed with { Provider = StoreProvider.Postgres, NewPostgresDatabase = postgres.NewDatabaseAsync });
}
