using Equip.Client.Components;

namespace Equip.Bench;

/// A writable number.
public sealed class Level : Component
{
    public Level() => Value = Property("value", 0.0);

    public ComponentProperty<double> Value { get; }
}

/// A device with several numbers that change by themselves (fan-in's sources).
public sealed class Sensor : Component
{
    public const int Count = 10;

    public Sensor() => Readings = [.. Enumerable.Range(0, Count).Select(i => Property($"reading{i}", 0.0))];

    public ComponentProperty<double>[] Readings { get; }
}

/// A display of many numbers (fan-in's destinations).
public sealed class Board : Component
{
    public const int Count = 100;

    public Board() => Inputs = [.. Enumerable.Range(0, Count).Select(i => Property($"input{i}", 0.0))];

    public ComponentProperty<double>[] Inputs { get; }
}
