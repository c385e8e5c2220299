using System.Threading.Channels;
using Equip.Domain.Components;
using Equip.Domain.Dataspace;
using Equip.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Equip.Infrastructure.Components;

/// The reconciliation loop of component requests: after every change of containers, capabilities,
/// components or requests (and every few seconds regardless) it works out where each request belongs and whether its component
/// runs, and writes that into the request (assignedContainerId, status, reason, componentId). The
/// containers do the launching: each follows the requests assigned to it.
internal sealed class Launcher(IDataspace dataspace, IChangeFeed feed, ILogger<Launcher> logger) : BackgroundService
{
    private static readonly TimeSpan Resweep = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(1);

    // Property values, links and constants do not change where a request runs: a value update (the
    // hot path) must not cost a read of the whole component layer.
    private static readonly HashSet<string> PlacementTypes = [Ect.Container, Ect.Capability, Ect.Component, Ect.ComponentRequest];
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = feed.Subscribe(events =>
        {
            if (events.Any(e => PlacementTypes.Contains(e.Item.Type)))
            {
                _wake.Writer.TryWrite(true);
            }
        });
        _wake.Writer.TryWrite(true);
        while (!stoppingToken.IsCancellationRequested)
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                timeout.CancelAfter(Resweep);
                try
                {
                    await _wake.Reader.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                }
            }
            var started = TimeProvider.System.GetTimestamp();
            try
            {
                await ReconcileAsync(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LauncherLog.Failed(logger, error);
            }
            // Rounds take at most half the time: a storm of returning containers wakes the
            // launcher at every change, and back-to-back rounds over a large installation would
            // take a core from the devices' own calls. A round of a few milliseconds delays the
            // next by as much.
            var took = TimeProvider.System.GetElapsedTime(started);
            await Task.Delay(took < MaxPause ? took : MaxPause, stoppingToken);
        }
    }

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var view = await InstallationView.ReadAsync(dataspace, cancellationToken);
        var targets = view.PlacementTargets();
        var updates = new List<Task>();
        foreach (var request in view.Requests)
        {
            var fields = request.Fields;
            var selector = fields.Selector is { } s ? new Selector(s.Host, s.Labels) : null;
            var decision = Placement.Decide(new PlacementRequest(fields.Capability, fields.ContainerId, selector, fields.AssignedContainerId), targets);
            var component = view.ComponentOf(request) is { } c && c.Fields.ContainerId == decision.AssignedContainerId ? c : null;
            var status = component is not null ? "running" : "pending";
            var reason = component is not null ? null : decision.PendingReason ?? $"launching on container '{decision.AssignedContainerId}'";
            if (fields.AssignedContainerId == decision.AssignedContainerId && fields.Status == status
                && fields.Reason == reason && fields.ComponentId == component?.Fields.ComponentId)
            {
                continue;
            }
            var updated = fields with { AssignedContainerId = decision.AssignedContainerId, Status = status, Reason = reason, ComponentId = component?.Fields.ComponentId };
            updates.Add(UpdateAsync(request.Item, updated, decision.AssignedContainerId, cancellationToken));
        }
        // All of a round's updates at once: they share the writer's commits instead of one commit
        // each (a storm of returning containers changes many requests in one round).
        await Task.WhenAll(updates);
    }

    private async Task UpdateAsync(ItemState request, ComponentRequestFields updated, string? assignedContainerId, CancellationToken cancellationToken)
    {
        try
        {
            await dataspace.UpdateAsync(new UpdateItem(request.Id, null, EctJson.Write(updated), request.Revision), cancellationToken);
            LauncherLog.Placed(logger, request.Id, updated.Status ?? "", updated.Reason ?? assignedContainerId ?? "");
        }
        catch (Exception conflict) when (conflict is RevisionMismatchException or ItemNotFoundException)
        {
            // Changed meanwhile: the change wakes the next round, which sees it.
        }
    }
}

internal static partial class LauncherLog
{
    [LoggerMessage(1, LogLevel.Information, "Component request {RequestId} is {Status}: {Detail}.")]
    public static partial void Placed(ILogger logger, Guid requestId, string status, string detail);

    [LoggerMessage(2, LogLevel.Error, "A launcher round failed; the next change or sweep tries again.")]
    public static partial void Failed(ILogger logger, Exception error);
}
