using Blazor.Diagrams.Core.Models;
using Blazor.Diagrams.Core.Models.Base;
using Equip.Protocol;

namespace Equip.Web.Dashboard.Graph;

/// A property's end of a link: an output (right, any property can be a source) or an input
/// (left, writable properties only). An output accepts only inputs of a type every value of its
/// own converts to, so only compatible destinations take a link drawn from it.
public sealed class PropertyPort(ComponentNodeModel parent, string property, string type, bool isInput)
    : PortModel(PortId(parent.ComponentId, property, isInput), parent, isInput ? PortAlignment.Left : PortAlignment.Right)
{
    public string Property { get; } = property;

    public string Type { get; } = type;

    public bool IsInput { get; } = isInput;

    public ComponentNodeModel Component => (ComponentNodeModel)Parent;

    public static string PortId(string componentId, string property, bool isInput) => $"{componentId}|{property}|{(isInput ? "in" : "out")}";

    public override bool CanAttachTo(ILinkable other) =>
        base.CanAttachTo(other)
        && other is PropertyPort port
        && port.IsInput != IsInput
        && (IsInput ? EctValues.AlwaysConverts(port.Type, Type) : EctValues.AlwaysConverts(Type, port.Type))
        && !Links.Any(l => l.Source.Model == other || l.Target?.Model == other);
}
