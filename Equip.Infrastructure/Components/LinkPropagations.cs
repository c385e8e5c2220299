using System.Diagnostics;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Observability;
using Equip.Protocol;

namespace Equip.Infrastructure.Components;

/// The destination writes the link engine planned for what it has read of the feed: at most one
/// per destination property (the latest value), written together so that they share one batch
/// of the writer, and one flush when they are stored.
internal sealed class LinkPropagations(IDataspace dataspace, EquipMetrics metrics)
{
    private readonly Dictionary<Guid, (PropertyFields Set, List<Guid> Links)> _planned = [];

    public bool IsEmpty => _planned.Count == 0;

    /// The destination item is to hold the value; the links that carry it are recorded so that
    /// they can be marked offline if the destination has gone by the time it is written.
    public void Plan(Guid itemId, PropertyFields set, Guid? linkId)
    {
        var links = _planned.TryGetValue(itemId, out var planned) ? planned.Links : [];
        if (linkId is { } id)
        {
            links.Add(id);
        }
        _planned[itemId] = (set, links);
    }

    /// The value planned for the destination item, if any.
    public System.Text.Json.JsonElement? PlannedValue(Guid itemId) =>
        _planned.TryGetValue(itemId, out var planned) ? planned.Set.Value : null;

    /// Writes everything planned at once; returns what was written, and the links whose
    /// destination had gone.
    public async Task<(IReadOnlyList<(Guid ItemId, PropertyFields Set)> Written, IReadOnlyList<Guid> Offline)> WriteAsync(CancellationToken cancellationToken)
    {
        var planned = _planned.ToList();
        _planned.Clear();
        var outcomes = await Task.WhenAll(planned.Select(p => WriteAsync(p.Key, p.Value.Set, cancellationToken)));
        var written = new List<(Guid, PropertyFields)>();
        var offline = new List<Guid>();
        for (var i = 0; i < planned.Count; i++)
        {
            if (outcomes[i])
            {
                written.Add((planned[i].Key, planned[i].Value.Set));
            }
            else
            {
                offline.AddRange(planned[i].Value.Links);
            }
        }
        return (written, offline);
    }

    /// True once written; false when the destination had gone.
    private async Task<bool> WriteAsync(Guid itemId, PropertyFields set, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await dataspace.UpdateAsync(new UpdateItem(itemId, null, EctJson.Write(set), Unreliable: true), cancellationToken);
            metrics.Propagated(Stopwatch.GetElapsedTime(started));
            return true;
        }
        catch (ItemNotFoundException)
        {
            return false;
        }
    }
}
