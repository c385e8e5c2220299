using Equip.Web.Dashboard.Live;
using Microsoft.AspNetCore.Components;

namespace Equip.Web.Dashboard.Shared;

/// A page that renders the live installation: it takes each new snapshot (at most one per
/// refresh interval) and re-renders through the renderer's dispatcher.
public abstract class LiveView : ComponentBase, IDisposable
{
    private IDisposable? _subscription;

    [Inject]
    protected LiveInstallation Live { get; set; } = null!;

    protected InstallationSnapshot Snapshot { get; set; } = InstallationSnapshot.Empty;

    /// False while the view is paused (the Events page): new snapshots are not taken.
    protected virtual bool Following => true;

    protected override void OnInitialized()
    {
        Snapshot = Live.Current;
        _subscription = Live.Subscribe(snapshot => _ = InvokeAsync(() =>
        {
            if (Following && !ReferenceEquals(snapshot, Snapshot))
            {
                Snapshot = snapshot;
                OnSnapshot();
                StateHasChanged();
            }
        }));
    }

    /// Called with each new snapshot before rendering it.
    protected virtual void OnSnapshot()
    {
    }

    public virtual void Dispose()
    {
        _subscription?.Dispose();
        GC.SuppressFinalize(this);
    }
}
