namespace Equip.Scenarios.Harness;

/// One measured recovery: from the end of a fault to every watched link flowing again.
public sealed record Recovery(string What, TimeSpan Time);

/// What one scenario measured, and the checks it made on the way.
public sealed class ScenarioReport(string scenario, StoreProvider provider)
{
    private readonly List<Recovery> _recoveries = [];
    private readonly List<string> _checks = [];

    public string Scenario { get; } = scenario;

    public StoreProvider Provider { get; } = provider;

    public IReadOnlyList<Recovery> Recoveries => _recoveries;

    public IReadOnlyList<string> Checks => _checks;

    public void Measured(string what, TimeSpan time) => _recoveries.Add(new Recovery(what, time));

    public void Checked(string what) => _checks.Add(what);

    /// Fails the scenario unless the condition holds; records the check when it does.
    public void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new ScenarioFailedException($"{Scenario} ({Provider}): expected {what}.");
        }
        _checks.Add(what);
    }
}
