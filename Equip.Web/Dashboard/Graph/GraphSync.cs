using Blazor.Diagrams;
using Blazor.Diagrams.Core.Anchors;
using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using Equip.Infrastructure.Components;
using Equip.Infrastructure.Components.Links;
using Equip.Web.Dashboard.Live;
using Equip.Web.Dashboard.Shared;

namespace Equip.Web.Dashboard.Graph;

/// Keeps a diagram equal to the installation: a node per component (running or requested), a
/// link per property link, each with its status colour and the value it carries. Returns the
/// positions it made up for nodes that had none, for the caller to keep.
public sealed class GraphSync(BlazorDiagram diagram)
{
    private static readonly TimeSpan LocalMoveWins = TimeSpan.FromSeconds(2);

    /// True while the diagram is being changed to follow the server (not by the designer).
    public bool Applying { get; private set; }

    public IReadOnlyDictionary<string, (double X, double Y)> Apply(InstallationSnapshot snapshot, DateTimeOffset now)
    {
        IReadOnlyDictionary<string, (double X, double Y)> placed = new Dictionary<string, (double, double)>();
        Applying = true;
        try
        {
            diagram.Batch(() => placed = Follow(snapshot, now));
        }
        finally
        {
            Applying = false;
        }
        return placed;
    }

    private IReadOnlyDictionary<string, (double X, double Y)> Follow(InstallationSnapshot snapshot, DateTimeOffset now)
    {
        var nodes = diagram.Nodes.OfType<ComponentNodeModel>().ToDictionary(n => n.ComponentId);
        var wanted = snapshot.Components.ToDictionary(c => c.ComponentId);
        foreach (var gone in nodes.Values.Where(n => !wanted.ContainsKey(n.ComponentId)).ToList())
        {
            diagram.Nodes.Remove(gone);
            nodes.Remove(gone.ComponentId);
        }
        var placed = PlaceNew(snapshot, nodes, wanted);
        foreach (var component in snapshot.Components)
        {
            if (nodes.TryGetValue(component.ComponentId, out var node))
            {
                Update(node, component, snapshot, now);
            }
            else
            {
                var (x, y) = snapshot.Positions.TryGetValue(component.ComponentId, out var kept) ? (kept.X, kept.Y) : placed[component.ComponentId];
                nodes[component.ComponentId] = diagram.Nodes.Add(new ComponentNodeModel(component, new Point(x, y)));
            }
        }
        SyncLinks(snapshot, nodes);
        return placed;
    }

    private void Update(ComponentNodeModel node, ComponentNode component, InstallationSnapshot snapshot, DateTimeOffset now)
    {
        if (node.Ports.Any(p => p.Links.Count > 0) && PortsWillChange(node, component))
        {
            diagram.Links.Remove(node.Ports.SelectMany(p => p.Links).Distinct().ToList());
        }
        node.Update(component);
        if (snapshot.Positions.TryGetValue(component.ComponentId, out var kept)
            && (Math.Abs(kept.X - node.Position.X) > 0.5 || Math.Abs(kept.Y - node.Position.Y) > 0.5)
            && now - node.MovedLocallyAt > LocalMoveWins)
        {
            node.SetPosition(kept.X, kept.Y); // another browser moved it
        }
    }

    private static bool PortsWillChange(ComponentNodeModel node, ComponentNode component) =>
        !node.Component.Properties.Select(p => (p.Name, p.Type, p.ReadOnly)).SequenceEqual(component.Properties.Select(p => (p.Name, p.Type, p.ReadOnly)));

    /// New nodes without a kept position are laid out among themselves, in a column right of the
    /// placed ones: a node added from the palette is most often linked from what is already there,
    /// and a link runs from a right-hand port to a left-hand one.
    private IReadOnlyDictionary<string, (double X, double Y)> PlaceNew(InstallationSnapshot snapshot, Dictionary<string, ComponentNodeModel> nodes, Dictionary<string, ComponentNode> wanted)
    {
        var unplaced = wanted.Values
            .Where(c => !nodes.ContainsKey(c.ComponentId) && !snapshot.Positions.ContainsKey(c.ComponentId))
            .ToDictionary(c => c.ComponentId, ComponentNodeModel.HeightFor);
        if (unplaced.Count == 0)
        {
            return new Dictionary<string, (double, double)>();
        }
        var corners = nodes.Values.Select(n => (n.Position.X, n.Position.Y))
            .Concat(snapshot.Positions.Values.Where(p => wanted.ContainsKey(p.ComponentId)).Select(p => (p.X, p.Y)))
            .ToList();
        return corners.Count == 0
            ? AutoLayout.Place(unplaced, AutoLayout.Edges(snapshot), 40, 40)
            : AutoLayout.Place(unplaced, AutoLayout.Edges(snapshot), corners.Max(c => c.X) + ComponentNodeModel.Width + AutoLayout.LayerGap, corners.Min(c => c.Y));
    }

    private void SyncLinks(InstallationSnapshot snapshot, Dictionary<string, ComponentNodeModel> nodes)
    {
        var links = diagram.Links.OfType<LinkModel>().Where(l => l is not DraftLink).ToDictionary(l => Guid.Parse(l.Id));
        var wanted = snapshot.Links.ToDictionary(l => l.Id);
        diagram.Links.Remove(links.Values.Where(l => !wanted.ContainsKey(Guid.Parse(l.Id))).ToList());
        foreach (var row in snapshot.Links)
        {
            var source = nodes.GetValueOrDefault(row.Fields.Source.ComponentId() ?? "")?.Port(row.Fields.Source.Property, isInput: false);
            var destination = nodes.GetValueOrDefault(row.Fields.Destination.ComponentId() ?? "")?.Port(row.Fields.Destination.Property, isInput: true);
            links.TryGetValue(row.Id, out var link);
            if (source is null || destination is null)
            {
                if (link is not null)
                {
                    diagram.Links.Remove(link);
                }
                continue;
            }
            if (link is null || link.Source.Model != source || link.Target.Model != destination)
            {
                if (link is not null)
                {
                    diagram.Links.Remove(link);
                }
                link = diagram.Links.Add(new LinkModel(row.Id.ToString(), new SinglePortAnchor(source), new SinglePortAnchor(destination))
                {
                    TargetMarker = LinkMarker.Arrow,
                    Width = 2.5,
                });
                link.AddLabel("");
            }
            Style(link, row);
        }
    }

    private static void Style(LinkModel link, LinkRow row)
    {
        var color = ColorOf(row.Status.Status);
        var label = Format.Short(row.Source?.Value ?? default, 18);
        var text = link.Labels.FirstOrDefault();
        if (link.Color == color && text?.Content == label)
        {
            return;
        }
        link.Color = color;
        link.SelectedColor = color;
        link.Refresh();
        if (text is not null && text.Content != label)
        {
            text.Content = label;
            text.Refresh();
        }
    }

    public static string ColorOf(string status) => status switch
    {
        LinkStatus.Active => "#1f8a4c",
        LinkStatus.TypeMismatch => "#c23b3b",
        _ => "#d08a1c",
    };
}
