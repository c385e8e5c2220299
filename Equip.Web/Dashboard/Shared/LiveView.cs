using Equip.Domain.Dataspace;
using Equip.Web.Dashboard.Live;
using Microsoft.AspNetCore.Components;

namespace Equip.Web.Dashboard.Shared;

/// A page that renders the live installation: it takes each new snapshot (at most one per
/// refresh interval) and re-renders through the renderer's dispatcher. Given ?at=R, it shows
/// the installation as it was at revision R instead (time travel, docs/dashboard.md), and takes
/// no live snapshots until it is sent back to the present; ?before=TIME and ?after=TIME (a
/// recovery-timeline entry's links) go to the revision just before or after that moment.
public abstract class LiveView : ComponentBase, IDisposable
{
    private IDisposable? _subscription;
    private long? _shown;

    [Inject]
    protected LiveInstallation Live { get; set; } = null!;

    [Inject]
    protected PastInstallation Past { get; set; } = null!;

    [Inject]
    protected NavigationManager Navigation { get; set; } = null!;

    /// The revision to show, from the address (?at=R); null: the present.
    [SupplyParameterFromQuery(Name = "at")]
    public long? At { get; set; }

    /// A moment (ISO 8601): show the revision just before it.
    [SupplyParameterFromQuery(Name = "before")]
    public string? Before { get; set; }

    /// A moment (ISO 8601): show the revision just after it.
    [SupplyParameterFromQuery(Name = "after")]
    public string? After { get; set; }

    protected InstallationSnapshot Snapshot { get; set; } = InstallationSnapshot.Empty;

    /// Whether the page shows an earlier revision: read-only, no live updates.
    protected bool InThePast => _shown is not null;

    /// Why the revision asked for cannot be shown, if it cannot.
    protected string? PastError { get; private set; }

    /// False while the view is paused (the Events page): new snapshots are not taken.
    protected virtual bool Following => true;

    protected override void OnInitialized()
    {
        Snapshot = Live.Current;
        _subscription = Live.Subscribe(snapshot => _ = InvokeAsync(() =>
        {
            if (Following && !InThePast && !ReferenceEquals(snapshot, Snapshot))
            {
                Snapshot = snapshot;
                OnSnapshot();
                StateHasChanged();
            }
        }));
    }

    protected override async Task OnParametersSetAsync()
    {
        if (DateTimeOffset.TryParse(Before ?? After, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var moment))
        {
            // Just before: the last event before the moment; just after: the last one within a second after it.
            var revision = await Past.RevisionAtAsync(Before is null ? moment.AddSeconds(1) : moment.AddTicks(-1), CancellationToken.None);
            Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?> { ["at"] = revision, ["before"] = null, ["after"] = null }), replace: true);
            return;
        }
        if (At == _shown)
        {
            return;
        }
        PastError = null;
        if (At is not { } at)
        {
            _shown = null;
            Snapshot = Live.Current;
            OnSnapshot();
            return;
        }
        try
        {
            Snapshot = await Past.AtAsync(at, CancellationToken.None);
            _shown = at;
            OnSnapshot();
        }
        catch (DataspaceException refused) when (refused is ChangeLogCompactedException or InvalidItemException)
        {
            PastError = refused.Message;
        }
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
