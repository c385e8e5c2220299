using System.Collections.Immutable;
using System.Threading.Channels;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Components;
using Equip.Infrastructure.Dataspace.Live;
using Equip.Infrastructure.Components.Links;
using Equip.Protocol;
using Microsoft.Extensions.Options;

namespace Equip.Web.Dashboard.Live;

/// The installation as the dashboard shows it, kept current by server push: it follows the
/// in-process change feed and peer feed (never polling the store), and hands views a new
/// immutable snapshot at most once per RefreshInterval, however fast values change.
public sealed class LiveInstallation(
    IDataspace dataspace,
    IChangeFeed feed,
    IPeerFeed peerFeed,
    IPeerSessions peerSessions,
    LinkStatuses linkStatuses,
    ILiveItems live,
    TimeProvider time,
    IOptions<DashboardOptions> options,
    ILogger<LiveInstallation> logger) : BackgroundService
{
    private readonly Channel<object> _work = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private readonly TrackedItems _items = new();
    private readonly EventLog _events = new(options.Value.EventHistory, time);
    private readonly RecoveryTimeline _timeline = new(options.Value.EventHistory, options.Value.RecoveryWatch);
    private ImmutableArray<Action<InstallationSnapshot>> _subscribers = [];
    private IReadOnlyList<PeerView> _peers = [];
    private bool _changed = true;
    private bool _peersChanged = true;

    public InstallationSnapshot Current { get; private set; } = InstallationSnapshot.Empty;

    /// Calls back with each new snapshot, from a background thread (a component re-renders through
    /// InvokeAsync). Dispose to stop.
    public IDisposable Subscribe(Action<InstallationSnapshot> onChanged)
    {
        ImmutableInterlocked.Update(ref _subscribers, s => s.Add(onChanged));
        return new Unsubscriber(() => ImmutableInterlocked.Update(ref _subscribers, s => s.Remove(onChanged)));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var changes = feed.Subscribe(events => _work.Writer.TryWrite(events));
        using var transitions = peerFeed.Subscribe(t => _work.Writer.TryWrite(t));
        await LoadAsync(stoppingToken);
        await Task.WhenAll(ApplyAsync(stoppingToken), RefreshAsync(stoppingToken));
    }

    /// The component layer and the positions as they are now; events already queued that this
    /// read includes are skipped by their revision.
    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var components = await dataspace.SnapshotAsync(new Pattern("ect.*"), cancellationToken);
        var positions = await dataspace.SnapshotAsync(new Pattern(TrackedItems.PositionType), cancellationToken);
        lock (_lock)
        {
            _items.Load(components.Items, components.Revision);
            _items.Load(positions.Items, positions.Revision);
            foreach (var container in components.Items.Where(i => i.Type == Ect.Container))
            {
                _timeline.RememberContainer(EctJson.Read<ContainerFields>(container.Fields)?.ContainerId ?? "", container.Responsible);
            }
        }
    }

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        await foreach (var work in _work.Reader.ReadAllAsync(cancellationToken))
        {
            lock (_lock)
            {
                switch (work)
                {
                    case IReadOnlyList<ChangeEvent> events:
                        Apply(events);
                        break;
                    case IReadOnlyList<PeerTransition> peers:
                        _timeline.Add(peers);
                        _peersChanged = true;
                        break;
                }
                _changed = true;
            }
        }
    }

    private void Apply(IReadOnlyList<ChangeEvent> events)
    {
        _events.Add(events);
        foreach (var change in events)
        {
            _items.Apply(change);
            if (change is { Kind: not ChangeKind.Deleted, Item.Type: Ect.Container } && EctJson.Read<ContainerFields>(change.Item.Fields) is { } container)
            {
                _timeline.RememberContainer(container.ContainerId, change.Item.Responsible);
            }
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, time);
        do
        {
            try
            {
                await RefreshOnceAsync(cancellationToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LiveInstallationLog.RefreshFailed(logger, error);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private async Task RefreshOnceAsync(CancellationToken cancellationToken)
    {
        bool peersChanged;
        lock (_lock)
        {
            peersChanged = _peersChanged;
            _peersChanged = false;
        }
        if (peersChanged)
        {
            _peers = await peerSessions.ListAsync(cancellationToken);
        }
        InstallationSnapshot snapshot;
        lock (_lock)
        {
            // Ages and the events-per-second figure move without changes: rebuild at least every
            // second. With no view open, at most every second (the recovery timeline still watches).
            var unwatched = _subscribers.IsEmpty;
            if ((unwatched || (!_changed && !peersChanged)) && time.GetUtcNow() - Current.BuiltAt < TimeSpan.FromSeconds(1))
            {
                return;
            }
            _changed = false;
            snapshot = SnapshotBuilder.Build(_items, live, linkStatuses.StatusOf, _peers, _timeline.Entries(), _events.Latest(), _events.Rate(), time.GetUtcNow());
            if (_timeline.Watch(snapshot, time.GetUtcNow()))
            {
                snapshot = snapshot with { Timeline = _timeline.Entries() };
            }
        }
        Current = snapshot;
        foreach (var subscriber in _subscribers)
        {
            subscriber(snapshot);
        }
    }

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}

internal static partial class LiveInstallationLog
{
    [LoggerMessage(1, LogLevel.Error, "The dashboard's live view failed to refresh; it tries again at the next interval.")]
    public static partial void RefreshFailed(ILogger logger, Exception error);
}
