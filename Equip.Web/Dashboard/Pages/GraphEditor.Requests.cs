using Equip.Domain.Dataspace;
using Equip.Protocol;
using Equip.Web.Dashboard.Live;

namespace Equip.Web.Dashboard.Pages;

/// The graph's component requests: added from the palette, renamed and removed from the
/// selection panel, through the same ComponentCommands as REST.
public partial class GraphEditor
{
    private async Task AddAsync(CapabilityOffer offer)
    {
        _error = null;
        var container = _containerFor.GetValueOrDefault(offer.Capability) ?? offer.Containers[0];
        try
        {
            await Components.RequestAsync(new ComponentRequestFields(offer.Capability, container, null, null, null, null, null, null, null), CancellationToken.None);
        }
        catch (DataspaceException refused)
        {
            _error = refused.Message;
        }
    }

    private string? _newName;

    private async Task RenameAsync(Guid request)
    {
        _error = null;
        try
        {
            await Components.RenameRequestAsync(request, _newName, CancellationToken.None);
            _newName = null;
        }
        catch (DataspaceException refused)
        {
            _error = refused.Message;
        }
    }

    private async Task DeleteRequestAsync(Guid request)
    {
        _error = null;
        try
        {
            await Components.DeleteRequestAsync(request, CancellationToken.None);
            _selectedNode = null;
        }
        catch (DataspaceException refused)
        {
            _error = refused.Message;
        }
    }
}
