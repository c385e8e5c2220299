using Equip.Domain.Dataspace;
using Equip.Protocol;
using Equip.Web.Dashboard.Live;

namespace Equip.Web.Dashboard.Graph;

/// Where the graph editor's nodes stand: one persistent item per component (by its stable id),
/// so that every browser sees the same layout and a restarted server keeps it.
public sealed class GraphLayout(IDataspace dataspace)
{
    public static Guid ItemId(string componentId) => Ect.Stable("dashboard.position", componentId);

    public Task SaveAsync(string componentId, double x, double y, CancellationToken cancellationToken) =>
        dataspace.AddAsync(new AddItem(ItemId(componentId), TrackedItems.PositionType,
            EctJson.Write(new NodePosition(componentId, Math.Round(x, 1), Math.Round(y, 1)))), cancellationToken);
}
