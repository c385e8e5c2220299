using System.Text.Json;
using Equip.Domain.Dataspace;

namespace Equip.Infrastructure.Persistence;

/// A change event as stored: the item's state is kept as one JSON document.
public sealed class ChangeLogEntry
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public long Revision { get; set; }
    public ChangeKind Kind { get; set; }
    public DeleteReason? Reason { get; set; }
    public Guid ItemId { get; set; }
    public string Item { get; set; } = "";
    public DateTimeOffset OccurredAt { get; set; }

    public static ChangeLogEntry From(ChangeEvent change) => new()
    {
        Revision = change.Revision,
        Kind = change.Kind,
        Reason = change.Reason,
        ItemId = change.Item.Id,
        Item = JsonSerializer.Serialize(change.Item, Json),
        OccurredAt = change.OccurredAt,
    };

    public ChangeEvent ToEvent() =>
        new(Revision, Kind, Reason, JsonSerializer.Deserialize<ItemState>(Item, Json)!, OccurredAt);
}
