using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Dataspace;
using Equip.Infrastructure.Observability;
using Equip.Protocol;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure.Components.Links;

/// Carries values along the links inside the writer's batch: after the batch's operations, the
/// values each source property took in it (the last QueuedPerItem of them, in order) go to every
/// linked destination, converted to the destination's type, in the same batch; a destination that
/// is itself a source passes on the latest it took (up to MaxHops links deep). A destination that
/// holds the value already is not written again, which stops cycles. Runs on the writer's thread
/// only.
internal sealed class LinkCarrier(LinkRoutes routes, EquipMetrics metrics, IOptions<ValueQueueOptions> options) : IValueRouting
{
    public const int MaxHops = 64;

    private readonly int _perSource = options.Value.QueuedPerItem;
    private readonly List<(Guid Source, JsonElement Value)> _carried = [];
    private readonly Dictionary<Guid, int> _kept = [];

    public void Carry(WriteContext context, int firstEvent)
    {
        var table = routes.Current;
        if (table.IsEmpty)
        {
            return;
        }
        for (var hop = 0; hop < MaxHops; hop++)
        {
            var events = context.Events;
            var end = events.Count;
            CollectSources(table, events, firstEvent, end, hop == 0 ? _perSource : 1);
            if (_carried.Count == 0)
            {
                return;
            }
            foreach (var (source, value) in _carried)
            {
                foreach (var route in table.BySource[source])
                {
                    Carry(context, route, value);
                }
            }
            _carried.Clear();
            firstEvent = end;
        }
    }

    /// Carries the source's current value along the link, as when the link appears or its
    /// destination comes back.
    public void Push(WriteContext context, Guid linkId)
    {
        if (!routes.Current.ByLink.TryGetValue(linkId, out var route))
        {
            return;
        }
        if (context.ItemForValue(route.SourceItemId) is not { } source || context.ValueOf(source) is not { } value)
        {
            route.State.Set(LinkStatus.SourceMissing);
            return;
        }
        Carry(context, route, value);
    }

    /// The values of sources among the events, the last perSource of each source, in event order.
    /// Values carried along a link pass on only the latest: a cycle of links then settles, as the
    /// one value comes back to a source that holds it.
    private void CollectSources(RoutingTable table, IReadOnlyList<ChangeEvent> events, int from, int to, int perSource)
    {
        for (var i = to - 1; i >= from; i--)
        {
            var change = events[i];
            if (change.Kind == ChangeKind.Deleted)
            {
                Ended(table, change.Item.Id);
            }
            else if (table.BySource.ContainsKey(change.Item.Id) && change.Item.Value is { } value)
            {
                var kept = _kept.GetValueOrDefault(change.Item.Id);
                if (kept < perSource)
                {
                    _kept[change.Item.Id] = kept + 1;
                    _carried.Add((change.Item.Id, value));
                }
            }
        }
        _kept.Clear();
        _carried.Reverse();
    }

    /// A link's end went in this batch: its status says so as the batch is published, before the
    /// engine makes the next table.
    private static void Ended(RoutingTable table, Guid itemId)
    {
        if (table.BySource.TryGetValue(itemId, out var fromIt))
        {
            foreach (var route in fromIt)
            {
                route.State.Set(LinkStatus.SourceMissing);
            }
        }
        if (table.ByDestination.TryGetValue(itemId, out var intoIt))
        {
            foreach (var route in intoIt)
            {
                route.State.Set(LinkStatus.DestinationOffline);
            }
        }
    }

    private void Carry(WriteContext context, LinkRoute route, JsonElement value)
    {
        if (route.DestinationType is not { } type || context.ItemForValue(route.DestinationItemId) is not { } destination)
        {
            route.State.Set(LinkStatus.DestinationOffline);
            return;
        }
        if (route.DestinationReadOnly || !EctValues.TryConvert(value, type, out var converted))
        {
            route.State.Set(LinkStatus.TypeMismatch);
            return;
        }
        route.State.Carried(context.Now);
        if (context.ValueOf(destination) is { } held && JsonValues.AreEqual(held, converted))
        {
            return;
        }
        context.SetValue(destination, converted, by: null, author: null);
        metrics.Propagated();
    }
}
