using Blazor.Diagrams.Core.Anchors;
using Blazor.Diagrams.Core.Models;

namespace Equip.Web.Dashboard.Graph;

/// A link the designer is drawing: it becomes a property link once the server has made it, and
/// the diagram then shows the server's link in its place.
public sealed class DraftLink(Anchor source, Anchor target) : LinkModel(source, target);
