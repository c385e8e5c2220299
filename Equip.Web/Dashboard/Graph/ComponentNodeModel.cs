using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using Equip.Web.Dashboard.Live;

namespace Equip.Web.Dashboard.Graph;

/// A component as a node of the graph: a row per property, with an input port where it is
/// writable and an output port always.
public sealed class ComponentNodeModel : NodeModel
{
    public const double Width = 230;
    public const double HeaderHeight = 30;
    public const double RowHeight = 25.6;

    public ComponentNodeModel(ComponentNode component, Point position)
        : base(component.ComponentId, position)
    {
        Component = component;
        Title = component.Title;
        Size = new Size(Width, HeightFor(component)); // known before the browser measures it, for fitting the view
        AddPorts();
    }

    public ComponentNode Component { get; private set; }

    public string ComponentId => Component.ComponentId;

    /// When the designer last moved it here; remote positions wait a moment after that.
    public DateTimeOffset MovedLocallyAt { get; set; }

    public PropertyPort? Port(string property, bool isInput) =>
        Ports.OfType<PropertyPort>().FirstOrDefault(p => p.Property == property && p.IsInput == isInput);

    public static double HeightFor(ComponentNode component) => HeaderHeight + RowHeight * Math.Max(1, component.Properties.Count) + 6;

    /// Takes the component's new state; true when its ports had to be made again (their links too).
    public bool Update(ComponentNode component)
    {
        var portsChanged = Shape(component) != Shape(Component);
        var changed = portsChanged || component.Running != Component.Running || component.Title != Component.Title
            || !component.Properties.Select(p => p.Revision).SequenceEqual(Component.Properties.Select(p => p.Revision));
        Component = component;
        Title = component.Title;
        if (portsChanged)
        {
            foreach (var port in Ports.ToList())
            {
                RemovePort(port);
            }
            AddPorts();
        }
        if (changed)
        {
            Refresh();
        }
        return portsChanged;
    }

    private void AddPorts()
    {
        foreach (var property in Component.Properties)
        {
            if (!property.ReadOnly)
            {
                AddPort(new PropertyPort(this, property.Name, property.Type, isInput: true));
            }
            AddPort(new PropertyPort(this, property.Name, property.Type, isInput: false));
        }
    }

    private static string Shape(ComponentNode component) =>
        string.Join(';', component.Properties.Select(p => $"{p.Name}:{p.Type}:{p.ReadOnly}"));
}
