using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using System.Diagnostics;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Observability;
using Equip.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Equip.Infrastructure.Components;

/// Carries property values along links and keeps constants on their destinations. It follows the
/// change feed: a source property's new value is written to every linked destination; a link or
/// constant that appears, and a destination that (re)appears, get the current value at once. A
/// destination already holding the value is not written again, so cycles settle instead of ringing.
public sealed class LinkEngine(IDataspace dataspace, IChangeFeed feed, TimeProvider time, EquipMetrics metrics, ILogger<LinkEngine> logger) : BackgroundService
{
    private readonly Channel<IReadOnlyList<ChangeEvent>> _changes = Channel.CreateUnbounded<IReadOnlyList<ChangeEvent>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Guid, LinkStatus> _status = new();
    private readonly Dictionary<Guid, LinkFields> _links = new();
    private readonly Dictionary<Guid, ConstantFields> _constants = new();
    private readonly Dictionary<(string Component, string Property), (Guid ItemId, PropertyFields Fields)> _properties = new();
    private readonly ReferenceIndex _linksBySource = new();
    private readonly ReferenceIndex _linksByDestination = new();
    private readonly ReferenceIndex _constantsByDestination = new();

    /// The status of a link, as the engine last saw it.
    public LinkStatus StatusOf(Guid linkId) => _status.GetValueOrDefault(linkId) ?? new LinkStatus(LinkStatus.SourceMissing, null);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = feed.Subscribe(events =>
        {
            if (events.Any(e => e.Item.Type.StartsWith("ect.", StringComparison.Ordinal)))
            {
                _changes.Writer.TryWrite(events);
            }
        });
        var start = await dataspace.SnapshotAsync(new Pattern("ect.*"), stoppingToken);
        foreach (var item in start.Items)
        {
            Remember(item, deleted: false);
        }
        foreach (var link in _links.Keys.ToList())
        {
            await PushAsync(link, stoppingToken);
        }
        foreach (var constant in _constants.Keys.ToList())
        {
            await ApplyConstantAsync(constant, stoppingToken);
        }
        await foreach (var events in _changes.Reader.ReadAllAsync(stoppingToken))
        {
            foreach (var change in events.Where(e => e.Revision > start.Revision))
            {
                try
                {
                    await OnChangeAsync(change, stoppingToken);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    LinkEngineLog.Failed(logger, change.Item.Id, error);
                }
            }
        }
    }

    private async Task OnChangeAsync(ChangeEvent change, CancellationToken cancellationToken)
    {
        var deleted = change.Kind == ChangeKind.Deleted;
        var key = Remember(change.Item, deleted);
        switch (change.Item.Type)
        {
            case Ect.Link when !deleted:
                await PushAsync(change.Item.Id, cancellationToken);
                break;
            case Ect.Link:
                _status.TryRemove(change.Item.Id, out _);
                break;
            case Ect.Constant when !deleted:
                await ApplyConstantAsync(change.Item.Id, cancellationToken);
                break;
            case Ect.Property when key is { } property:
                foreach (var id in _linksBySource.Of(property))
                {
                    await PushAsync(id, cancellationToken);
                }
                if (deleted)
                {
                    foreach (var id in _linksByDestination.Of(property))
                    {
                        _status[id] = new LinkStatus(LinkStatus.DestinationOffline, StatusOf(id).LastValueAt);
                    }
                }
                else if (change.Kind == ChangeKind.Added || change.Readded)
                {
                    // A destination (re)appeared, or was announced again with the value its
                    // publisher starts from: give it the current source values and constants.
                    foreach (var id in _linksByDestination.Of(property))
                    {
                        await PushAsync(id, cancellationToken);
                    }
                    foreach (var id in _constantsByDestination.Of(property))
                    {
                        await ApplyConstantAsync(id, cancellationToken);
                    }
                }
                break;
        }
    }

    private (string, string)? Remember(ItemState item, bool deleted)
    {
        switch (item.Type)
        {
            case Ect.Link:
                ForgetLink(item.Id);
                if (!deleted && EctJson.Read<LinkFields>(item.Fields) is { } link)
                {
                    _links[item.Id] = link;
                    _linksBySource.Add(item.Id, link.Source);
                    _linksByDestination.Add(item.Id, link.Destination);
                }
                break;
            case Ect.Constant:
                if (_constants.Remove(item.Id, out var previous))
                {
                    _constantsByDestination.Remove(item.Id, previous.Destination);
                }
                if (!deleted && EctJson.Read<ConstantFields>(item.Fields) is { } constant)
                {
                    _constants[item.Id] = constant;
                    _constantsByDestination.Add(item.Id, constant.Destination);
                }
                break;
            case Ect.Property when EctJson.Read<PropertyFields>(item.Fields) is { } property:
                var key = (property.ComponentId, property.Name);
                if (deleted)
                {
                    _properties.Remove(key);
                }
                else
                {
                    _properties[key] = (item.Id, property);
                }
                return key;
        }
        return null;
    }

    private void ForgetLink(Guid id)
    {
        if (_links.Remove(id, out var link))
        {
            _linksBySource.Remove(id, link.Source);
            _linksByDestination.Remove(id, link.Destination);
        }
    }

    private (Guid ItemId, PropertyFields Fields)? Find(PropertyReference reference) =>
        reference.ComponentId() is { } component && _properties.TryGetValue((component, reference.Property), out var found) ? found : null;

    private async Task PushAsync(Guid linkId, CancellationToken cancellationToken)
    {
        if (!_links.TryGetValue(linkId, out var link))
        {
            return;
        }
        var previous = StatusOf(linkId).LastValueAt;
        if (Find(link.Source) is not { } source)
        {
            _status[linkId] = new LinkStatus(LinkStatus.SourceMissing, previous);
            return;
        }
        var outcome = await WriteAsync(link.Destination, source.Fields.Value, cancellationToken);
        _status[linkId] = new LinkStatus(outcome, outcome == LinkStatus.Active ? time.GetUtcNow() : previous);
    }

    private async Task ApplyConstantAsync(Guid constantId, CancellationToken cancellationToken)
    {
        if (_constants.TryGetValue(constantId, out var constant))
        {
            await WriteAsync(constant.Destination, constant.Value, cancellationToken);
        }
    }

    /// Writes the value to the destination property unless it holds it already.
    private async Task<string> WriteAsync(PropertyReference destination, JsonElement value, CancellationToken cancellationToken)
    {
        if (Find(destination) is not { } target)
        {
            return LinkStatus.DestinationOffline;
        }
        if (target.Fields.ReadOnly || !EctValues.TryConvert(value, target.Fields.Type, out var converted))
        {
            return LinkStatus.TypeMismatch;
        }
        if (JsonValues.AreEqual(target.Fields.Value, converted))
        {
            return LinkStatus.Active;
        }
        var set = target.Fields with { Value = converted };
        var started = Stopwatch.GetTimestamp();
        try
        {
            await dataspace.UpdateAsync(new UpdateItem(target.ItemId, null, EctJson.Write(set), Unreliable: true), cancellationToken);
            metrics.Propagated(Stopwatch.GetElapsedTime(started));
            _properties[(set.ComponentId, set.Name)] = (target.ItemId, set);
        }
        catch (ItemNotFoundException)
        {
            return LinkStatus.DestinationOffline;
        }
        return LinkStatus.Active;
    }
}

internal static partial class LinkEngineLog
{
    [LoggerMessage(1, LogLevel.Error, "The link engine failed on a change of item {ItemId}; it goes on with the next.")]
    public static partial void Failed(ILogger logger, Guid itemId, Exception error);
}
