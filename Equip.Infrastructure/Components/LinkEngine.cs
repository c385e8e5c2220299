using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
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
    private readonly LinkPropagations _propagations = new(dataspace, metrics);

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
            Push(link);
        }
        foreach (var constant in _constants.Keys.ToList())
        {
            ApplyConstant(constant);
        }
        await WritePlannedAsync(stoppingToken);
        while (await _changes.Reader.WaitToReadAsync(stoppingToken))
        {
            // Everything the feed has delivered so far is read before the writes it calls for go
            // out together: a burst of source values costs one writer batch, not one per value.
            while (_changes.Reader.TryRead(out var events))
            {
                foreach (var change in events.Where(e => e.Revision > start.Revision))
                {
                    try
                    {
                        OnChange(change);
                    }
                    catch (Exception error)
                    {
                        LinkEngineLog.Failed(logger, change.Item.Id, error);
                    }
                }
            }
            await WritePlannedAsync(stoppingToken);
        }
    }

    private async Task WritePlannedAsync(CancellationToken cancellationToken)
    {
        if (_propagations.IsEmpty)
        {
            return;
        }
        try
        {
            var (written, offline) = await _propagations.WriteAsync(cancellationToken);
            foreach (var (itemId, set) in written)
            {
                // What the destination holds now, until its event comes through the feed (a value
                // not written, because the write failed, is tried again at the next push).
                if (_properties.TryGetValue((set.ComponentId, set.Name), out var known) && known.ItemId == itemId)
                {
                    _properties[(set.ComponentId, set.Name)] = (itemId, set);
                }
            }
            foreach (var link in offline)
            {
                _status[link] = new LinkStatus(LinkStatus.DestinationOffline, StatusOf(link).LastValueAt);
            }
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            // Any failure but the engine's own stop, a cancelled write included: the engine must
            // go on, or no link would flow again until a restart.
            LinkEngineLog.WriteFailed(logger, error);
        }
    }

    private void OnChange(ChangeEvent change)
    {
        var deleted = change.Kind == ChangeKind.Deleted;
        var key = Remember(change.Item, deleted);
        switch (change.Item.Type)
        {
            case Ect.Link when !deleted:
                Push(change.Item.Id);
                break;
            case Ect.Link:
                _status.TryRemove(change.Item.Id, out _);
                break;
            case Ect.Constant when !deleted:
                ApplyConstant(change.Item.Id);
                break;
            case Ect.Property when key is { } property:
                foreach (var id in _linksBySource.Of(property))
                {
                    Push(id);
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
                        Push(id);
                    }
                    foreach (var id in _constantsByDestination.Of(property))
                    {
                        ApplyConstant(id);
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

    private void Push(Guid linkId)
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
        var outcome = Plan(link.Destination, source.Fields.Value, linkId);
        _status[linkId] = new LinkStatus(outcome, outcome == LinkStatus.Active ? time.GetUtcNow() : previous);
    }

    private void ApplyConstant(Guid constantId)
    {
        if (_constants.TryGetValue(constantId, out var constant))
        {
            Plan(constant.Destination, constant.Value, null);
        }
    }

    /// Plans writing the value to the destination property unless it holds it (or is about to).
    private string Plan(PropertyReference destination, JsonElement value, Guid? linkId)
    {
        if (Find(destination) is not { } target)
        {
            return LinkStatus.DestinationOffline;
        }
        if (target.Fields.ReadOnly || !EctValues.TryConvert(value, target.Fields.Type, out var converted))
        {
            return LinkStatus.TypeMismatch;
        }
        if (JsonValues.AreEqual(_propagations.PlannedValue(target.ItemId) ?? target.Fields.Value, converted))
        {
            return LinkStatus.Active;
        }
        var set = target.Fields with { Value = converted };
        _propagations.Plan(target.ItemId, set, linkId);
        return LinkStatus.Active;
    }
}

internal static partial class LinkEngineLog
{
    [LoggerMessage(1, LogLevel.Error, "The link engine failed on a change of item {ItemId}; it goes on with the next.")]
    public static partial void Failed(ILogger logger, Guid itemId, Exception error);

    [LoggerMessage(2, LogLevel.Error, "The link engine failed to write destination values; it goes on with the next changes.")]
    public static partial void WriteFailed(ILogger logger, Exception error);
}
