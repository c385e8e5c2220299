namespace Equip.Scenarios.Harness;

/// A scenario saw the installation do something it must not, or not do something in time.
public sealed class ScenarioFailedException(string message) : Exception(message);
