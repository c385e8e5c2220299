using System.Threading.Channels;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Dataspace;
using Equip.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Equip.Infrastructure.Components.Links;

/// Keeps the links' routing table and pushes values where the wiring changed. It follows the
/// change feed for links, constants and the properties' shape (never their values: the writer
/// carries those itself, see LinkCarrier): when links or properties change it makes a new
/// routing table; a link that appears, or whose source or destination (re)appears, gets the
/// source's current value; a constant is kept on its destination whenever it (re)appears.
internal sealed class LinkEngine(IDataspace dataspace, DataspaceWriter writes, LinkRoutes routes, LinkStatuses statuses, LinkCarrier carrier, IChangeFeed feed, ILogger<LinkEngine> logger) : BackgroundService
{
    private readonly Channel<IReadOnlyList<ChangeEvent>> _changes = Channel.CreateUnbounded<IReadOnlyList<ChangeEvent>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<Guid, LinkFields> _links = new();
    private readonly Dictionary<Guid, ConstantFields> _constants = new();
    private readonly Dictionary<(string Component, string Property), PropertyShape> _properties = new();
    private readonly ReferenceIndex _linksBySource = new();
    private readonly ReferenceIndex _linksByDestination = new();
    private readonly ReferenceIndex _constantsByDestination = new();
    private readonly HashSet<Guid> _pushes = [];
    private readonly HashSet<Guid> _constantsDue = [];
    private bool _wiringChanged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = feed.Subscribe(events =>
        {
            if (events.Any(IsWiring))
            {
                _changes.Writer.TryWrite(events);
            }
        });
        var start = await dataspace.SnapshotAsync(new Pattern("ect.*"), stoppingToken);
        foreach (var item in start.Items)
        {
            Remember(item, deleted: false);
        }
        _pushes.UnionWith(_links.Keys);
        _constantsDue.UnionWith(_constants.Keys);
        _wiringChanged = true;
        await ApplyAsync(stoppingToken);
        while (await _changes.Reader.WaitToReadAsync(stoppingToken))
        {
            // Everything the feed has delivered so far, then one new table and the pushes it calls for.
            while (_changes.Reader.TryRead(out var events))
            {
                foreach (var change in events)
                {
                    if (change.Revision > start.Revision && IsWiring(change))
                    {
                        OnChange(change);
                    }
                }
            }
            await ApplyAsync(stoppingToken);
        }
    }

    /// Links, constants and the properties' existence and shape; a value change is none of these.
    private static bool IsWiring(ChangeEvent change) =>
        !change.ValueOnly && change.Item.Type is Ect.Link or Ect.Constant or Ect.Property;

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        if (_wiringChanged)
        {
            _wiringChanged = false;
            routes.Publish(RoutingTable.Of(_links.Select(l => Route(l.Key, l.Value))));
        }
        try
        {
            if (_pushes.Count > 0)
            {
                await writes.EnqueueAsync(new PushLinksOperation(carrier, [.. _pushes]), cancellationToken);
            }
            if (ConstantValues() is { Count: > 0 } values)
            {
                await dataspace.SetValuesAsync(new SetValues(values) { SkipUnchanged = true }, cancellationToken);
            }
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            // The engine must go on, or no link would flow again until a restart.
            LinkEngineLog.WriteFailed(logger, error);
        }
        finally
        {
            _pushes.Clear();
            _constantsDue.Clear();
        }
    }

    private void OnChange(ChangeEvent change)
    {
        var deleted = change.Kind == ChangeKind.Deleted;
        var property = Remember(change.Item, deleted);
        switch (change.Item.Type)
        {
            case Ect.Link when !deleted:
                _pushes.Add(change.Item.Id);
                break;
            case Ect.Constant when !deleted:
                _constantsDue.Add(change.Item.Id);
                break;
            case Ect.Property when property is { } key && !deleted && (change.Kind == ChangeKind.Added || change.Readded):
                // A property (re)appeared, or was announced again with the value its publisher
                // starts from: its links carry the current values, its constants are kept.
                _pushes.UnionWith(_linksByDestination.Of(key));
                _pushes.UnionWith(_linksBySource.Of(key));
                _constantsDue.UnionWith(_constantsByDestination.Of(key));
                break;
        }
    }

    /// Takes the item into the engine's model; for a property, returns its key.
    private (string, string)? Remember(ItemState item, bool deleted)
    {
        switch (item.Type)
        {
            case Ect.Link:
                if (_links.Remove(item.Id, out var old))
                {
                    _linksBySource.Remove(item.Id, old.Source);
                    _linksByDestination.Remove(item.Id, old.Destination);
                }
                if (!deleted && EctJson.Read<LinkFields>(item.Fields) is { } link)
                {
                    _links[item.Id] = link;
                    _linksBySource.Add(item.Id, link.Source);
                    _linksByDestination.Add(item.Id, link.Destination);
                }
                else
                {
                    statuses.Forget(item.Id);
                }
                _wiringChanged = true;
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
            case Ect.Property when EctJson.Read<PropertyFields>(item.Fields) is { } fields:
                var key = (fields.ComponentId, fields.Name);
                var shape = new PropertyShape(item.Id, fields.Type, fields.ReadOnly);
                if (deleted ? _properties.Remove(key) : _properties.GetValueOrDefault(key) != shape)
                {
                    _wiringChanged = true;
                }
                if (!deleted)
                {
                    _properties[key] = shape;
                }
                return key;
        }
        return null;
    }

    /// The link as the writer follows it, with what the engine knows of its two ends.
    private LinkRoute Route(Guid linkId, LinkFields link)
    {
        var state = statuses.StateOf(linkId);
        var source = Find(link.Source);
        var destination = Find(link.Destination);
        if (LinkStatus.Blocked(source is not null, destination is not null, destination?.ReadOnly == true) is { } blocked)
        {
            state.Set(blocked);
        }
        return new LinkRoute(linkId, source?.ItemId ?? Guid.Empty, destination?.ItemId ?? Guid.Empty, destination?.Type, destination?.ReadOnly ?? false, state);
    }

    /// The values the due constants keep on their destinations, converted to the destinations' types.
    private List<ValueWrite> ConstantValues()
    {
        var values = new List<ValueWrite>();
        foreach (var id in _constantsDue)
        {
            if (_constants.TryGetValue(id, out var constant) && Find(constant.Destination) is { ReadOnly: false } destination
                && EctValues.TryConvert(constant.Value, destination.Type, out var converted))
            {
                values.Add(new ValueWrite(destination.ItemId, converted));
            }
        }
        return values;
    }

    private PropertyShape? Find(PropertyReference reference) =>
        reference.ComponentId() is { } component && _properties.TryGetValue((component, reference.Property), out var found) ? found : null;

    /// A property item as the routing needs it: which item, its type, whether it is read-only.
    private sealed record PropertyShape(Guid ItemId, string Type, bool ReadOnly);
}

internal static partial class LinkEngineLog
{
    [LoggerMessage(2, LogLevel.Error, "The link engine failed to push values along links; it goes on with the next changes.")]
    public static partial void WriteFailed(ILogger logger, Exception error);
}
