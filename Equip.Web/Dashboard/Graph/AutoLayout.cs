using GraphShape;
using GraphShape.Algorithms.Layout;
using QuikGraph;

namespace Equip.Web.Dashboard.Graph;

/// Places nodes that have no position yet: layered from sources on the left to destinations on
/// the right (GraphShape's Sugiyama layout), from the given top-left corner.
public static class AutoLayout
{
    /// The horizontal gap between layers (and between placed nodes and new ones).
    public const double LayerGap = 100;

    /// The links between components, as edges from source component to destination component.
    public static IEnumerable<(string Source, string Destination)> Edges(Live.InstallationSnapshot snapshot) =>
        snapshot.Links.Select(l => (l.Fields.Source.ComponentId() ?? "", l.Fields.Destination.ComponentId() ?? ""));

    public static IReadOnlyDictionary<string, (double X, double Y)> Place(
        IReadOnlyDictionary<string, double> heights,
        IEnumerable<(string Source, string Destination)> edges,
        double left,
        double top)
    {
        if (heights.Count == 0)
        {
            return new Dictionary<string, (double, double)>();
        }
        var graph = new BidirectionalGraph<string, Edge<string>>();
        graph.AddVertexRange(heights.Keys.Order(StringComparer.Ordinal));
        graph.AddEdgeRange(edges
            .Where(e => e.Source != e.Destination && heights.ContainsKey(e.Source) && heights.ContainsKey(e.Destination))
            .Distinct()
            .Select(e => new Edge<string>(e.Source, e.Destination)));
        var sizes = heights.ToDictionary(h => h.Key, h => new Size(ComponentNodeModel.Width, h.Value));
        var layout = new SugiyamaLayoutAlgorithm<string, Edge<string>, BidirectionalGraph<string, Edge<string>>>(graph, sizes, new SugiyamaLayoutParameters
        {
            Direction = LayoutDirection.LeftToRight,
            LayerGap = LayerGap,
            SliceGap = 30,
        });
        layout.Compute();
        // Positions are centres; the diagram places nodes by their top-left corner.
        var corners = layout.VerticesPositions.ToDictionary(p => p.Key, p => (X: p.Value.X - ComponentNodeModel.Width / 2, Y: p.Value.Y - heights[p.Key] / 2));
        var leftmost = corners.Values.Min(c => c.X);
        var up = corners.Values.Min(c => c.Y);
        return corners.ToDictionary(c => c.Key, c => (c.Value.X - leftmost + left, c.Value.Y - up + top));
    }
}
