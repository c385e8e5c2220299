using Equip.Domain.Dataspace;
using Equip.Protocol;
using Equip.Web.Dashboard.Live;

namespace Equip.Web.Dashboard.Pages;

/// The graph's component requests: added from the palette, renamed and removed from the
/// selection panel, through the same ComponentCommands as REST.
public partial class GraphEditor
{
    private string? _newName;

    private Task AddAsync(CapabilityOffer offer)
    {
        var container = _containerFor.GetValueOrDefault(offer.Capability) ?? offer.Containers[0];
        return CommandAsync(() => Components.RequestAsync(new ComponentRequestFields(offer.Capability, container, null, null, null, null, null, null, null), CancellationToken.None));
    }

    private async Task RenameAsync(Guid request)
    {
        if (await CommandAsync(() => Components.RenameRequestAsync(request, _newName, CancellationToken.None)))
        {
            _newName = null;
        }
    }

    private async Task DeleteRequestAsync(Guid request)
    {
        if (await CommandAsync(() => Components.DeleteRequestAsync(request, CancellationToken.None)))
        {
            _selectedNode = null;
        }
    }

    /// Runs a command of the page; a refusal is shown in the page's error line. True when it ran.
    private async Task<bool> CommandAsync(Func<Task> command)
    {
        _error = null;
        try
        {
            await command();
            return true;
        }
        catch (DataspaceException refused)
        {
            _error = refused.Message;
            return false;
        }
    }
}
