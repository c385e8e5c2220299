using Blazor.Diagrams;
using Blazor.Diagrams.Core.Anchors;
using Blazor.Diagrams.Core.Models;
using Blazor.Diagrams.Core.Models.Base;
using Blazor.Diagrams.Options;
using Equip.Domain.Dataspace;
using Equip.Protocol;
using Equip.Web.Dashboard.Graph;
using Equip.Web.Dashboard.Live;

namespace Equip.Web.Dashboard.Pages;

public partial class GraphEditor
{
    private readonly Dictionary<string, string?> _containerFor = [];
    private readonly Dictionary<Guid, DraftLink> _madeDrafts = [];
    private BlazorDiagram _diagram = null!;
    private GraphSync _sync = null!;
    private bool _fitted;
    private Guid? _selectedLink;
    private string? _selectedNode;
    private string? _error;

    protected override void OnInitialized()
    {
        _diagram = new BlazorDiagram(new BlazorDiagramOptions
        {
            AllowMultiSelection = false,
            Zoom = { Minimum = 0.2, Maximum = 2 },
            Links =
            {
                RequireTarget = true,
                EnableSnapping = true,
                SnappingRadius = 30,
                DefaultColor = "#7d8799",
                Factory = (_, source, target) => source is PropertyPort port && !InThePast
                    ? new DraftLink(new SinglePortAnchor(port), target) { TargetMarker = LinkMarker.Arrow }
                    : null,
            },
            Constraints =
            {
                ShouldDeleteLink = ShouldDeleteLinkAsync,
                ShouldDeleteNode = _ => ValueTask.FromResult(false),
            },
        });
        _diagram.RegisterComponent<ComponentNodeModel, ComponentNodeWidget>();
        _diagram.Links.Added += OnLinkAdded;
        _diagram.Nodes.Added += OnNodeAdded;
        _diagram.SelectionChanged += OnSelectionChanged;
        _diagram.ContainerChanged += FitOnce;
        _sync = new GraphSync(_diagram);
        base.OnInitialized();
        Sync();
    }

    protected override void OnSnapshot() => Sync();

    private void Sync()
    {
        if (!Snapshot.IsLoaded)
        {
            return;
        }
        var placed = _sync.Apply(Snapshot, Time.GetUtcNow());
        foreach (var node in _diagram.Nodes)
        {
            node.Locked = InThePast; // the past is read-only: nothing to move, link or unlink
        }
        foreach (var made in _madeDrafts.Where(d => Snapshot.Links.Any(l => l.Id == d.Key)).ToList())
        {
            _diagram.Links.Remove(made.Value);
            _madeDrafts.Remove(made.Key);
        }
        if (placed.Count > 0 && !InThePast)
        {
            _ = SaveAsync(placed);
            if (_fitted)
            {
                Fit(); // a node placed right of the others: in view
            }
        }
        FitOnce();
    }

    /// The first time there are nodes and a canvas, the view shows them all (between half and full size).
    private void FitOnce()
    {
        if (_fitted || _diagram.Container is null || _diagram.Nodes.Count == 0)
        {
            return;
        }
        _fitted = true;
        Fit();
        _ = InvokeAsync(StateHasChanged);
    }

    private void Fit()
    {
        _diagram.ZoomToFit(30);
        if (_diagram.Zoom > 1)
        {
            _diagram.SetZoom(1);
        }
        else if (_diagram.Zoom < 0.5)
        {
            _diagram.SetZoom(0.5);
        }
    }

    private async Task SaveAsync(IReadOnlyDictionary<string, (double X, double Y)> positions)
    {
        try
        {
            await Task.WhenAll(positions.Select(p => Layout.SaveAsync(p.Key, p.Value.X, p.Value.Y, CancellationToken.None)));
        }
        catch (DataspaceException refused)
        {
            await InvokeAsync(() => { _error = refused.Message; StateHasChanged(); });
        }
    }

    private void OnNodeAdded(NodeModel node)
    {
        node.Moving += OnMoving;
        node.Moved += OnMoved;
    }

    /// While the designer drags a node, positions from the server do not pull it back.
    private void OnMoving(NodeModel node)
    {
        if (!_sync.Applying && node is ComponentNodeModel moving)
        {
            moving.MovedLocallyAt = Time.GetUtcNow();
        }
    }

    private void OnMoved(MovableModel moved)
    {
        if (moved is ComponentNodeModel node && !InThePast)
        {
            node.MovedLocallyAt = Time.GetUtcNow();
            _ = SaveAsync(new Dictionary<string, (double, double)> { [node.ComponentId] = (node.Position.X, node.Position.Y) });
        }
    }

    private void OnLinkAdded(BaseLinkModel link)
    {
        if (link is DraftLink draft)
        {
            draft.TargetAttached += attached => _ = InvokeAsync(() => MakeLinkAsync((DraftLink)attached));
        }
    }

    /// A link drawn in either direction is made from the output to the input.
    private async Task MakeLinkAsync(DraftLink draft)
    {
        _error = null;
        if (draft.Source.Model is not PropertyPort a || draft.Target.Model is not PropertyPort b)
        {
            _diagram.Links.Remove(draft);
            return;
        }
        var (source, destination) = a.IsInput ? (b, a) : (a, b);
        try
        {
            var made = await Links.LinkAsync(new LinkFields(
                source.Component.Component.Reference(source.Property),
                destination.Component.Component.Reference(destination.Property)), CancellationToken.None);
            _madeDrafts[made.Id] = draft; // replaced by the server's link at the next snapshot
        }
        catch (DataspaceException refused)
        {
            _error = refused.Message;
            _diagram.Links.Remove(draft);
        }
        StateHasChanged();
    }

    private async ValueTask<bool> ShouldDeleteLinkAsync(BaseLinkModel link)
    {
        if (InThePast)
        {
            return false;
        }
        if (link is DraftLink || !Guid.TryParse(link.Id, out var id))
        {
            return true;
        }
        return await DeleteLinkAsync(id);
    }

    private async Task<bool> DeleteLinkAsync(Guid id)
    {
        var deleted = await CommandAsync(() => Links.DeleteLinkAsync(id, CancellationToken.None));
        if (deleted)
        {
            _selectedLink = null;
        }
        StateHasChanged();
        return deleted;
    }

    private void OnSelectionChanged(SelectableModel model)
    {
        switch (model)
        {
            case LinkModel link when link.Selected && link is not DraftLink && Guid.TryParse(link.Id, out var id):
                _selectedLink = id;
                _selectedNode = null;
                break;
            case ComponentNodeModel node when node.Selected:
                _selectedNode = node.ComponentId;
                _selectedLink = null;
                break;
            case LinkModel link when !link.Selected && _selectedLink?.ToString() == link.Id:
                _selectedLink = null;
                break;
            case ComponentNodeModel node when !node.Selected && _selectedNode == node.ComponentId:
                _selectedNode = null;
                break;
        }
        _ = InvokeAsync(StateHasChanged);
    }

    /// Lays every node out afresh and keeps the new positions.
    private async Task RelayoutAsync()
    {
        var nodes = _diagram.Nodes.OfType<ComponentNodeModel>().ToList();
        var placed = AutoLayout.Place(nodes.ToDictionary(n => n.ComponentId, n => ComponentNodeModel.HeightFor(n.Component)), AutoLayout.Edges(Snapshot), 40, 40);
        _diagram.Batch(() =>
        {
            foreach (var node in nodes)
            {
                var (x, y) = placed[node.ComponentId];
                node.SetPosition(x, y);
                node.MovedLocallyAt = Time.GetUtcNow();
            }
        });
        Fit();
        await SaveAsync(placed);
    }

    public override void Dispose()
    {
        _diagram.Links.Added -= OnLinkAdded;
        _diagram.Nodes.Added -= OnNodeAdded;
        _diagram.SelectionChanged -= OnSelectionChanged;
        _diagram.ContainerChanged -= FitOnce;
        base.Dispose();
    }
}
