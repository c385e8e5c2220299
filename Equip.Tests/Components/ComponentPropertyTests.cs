using System.Text.Json;

namespace Equip.Tests.Components;

/// What a component may declare and set, before any container runs it.
public sealed class ComponentPropertyTests
{
    [Fact]
    public void APropertyOfATypeWithoutAValueTypeIsRefused() =>
        Assert.Throws<NotSupportedException>(() => new Panel().Add("when", DateTime.UtcNow));

    [Fact]
    public void ASecondPropertyWithTheSameNameIsRefused() =>
        Assert.Throws<InvalidOperationException>(() => new Panel().Add("text", "again"));

    [Fact]
    public void ValuesJsonCannotCarryAreRefused()
    {
        var panel = new Panel();

        Assert.Throws<ArgumentOutOfRangeException>(() => panel.Level.Value = double.NaN);
        Assert.Throws<ArgumentNullException>(() => panel.Text.Value = null!);
        Assert.Throws<ArgumentException>(() => panel.Shape.Value = default);
        Assert.Equal(0.5, panel.Level.Value);
    }

    [Fact]
    public void PropertiesKeepTheOrderTheyWereDeclaredInWithTheirTypes()
    {
        var panel = new Panel();

        Assert.Equal(
            [("text", "string", false), ("updates", "integer", true), ("level", "number", false), ("count", "integer", false), ("on", "boolean", false), ("shape", "json", false)],
            panel.Properties.Select(p => (p.Name, p.Type, p.ReadOnly)));
        Assert.Equal(JsonValueKind.Object, panel.Shape.JsonValue.ValueKind);
        Assert.Equal("", panel.ComponentId);
    }
}
