using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Protocol;

namespace Equip.Web.Hubs;

internal static class WireMapping
{
    public static WireItem ToWire(this ItemState item) => new()
    {
        Id = item.Id,
        Type = item.Type,
        Fields = item.Fields,
        Responsible = item.Responsible,
        ProcessBound = item.ProcessBound,
        LeaseExpiresAt = item.LeaseExpiresAt,
        Revision = item.Revision,
        CreatedAt = item.CreatedAt,
        UpdatedAt = item.UpdatedAt,
    };

    public static WireEvent ToWire(this ChangeEvent change, bool matches) => new()
    {
        Revision = change.Revision,
        Kind = JsonNamingPolicy.CamelCase.ConvertName(change.Kind.ToString()),
        Reason = change.Reason is { } reason ? JsonNamingPolicy.CamelCase.ConvertName(reason.ToString()) : null,
        Item = change.Item.ToWire(),
        Matches = matches,
    };

    public static Pattern ToPattern(this WirePattern? pattern) =>
        pattern is null
            ? throw new InvalidItemException("A pattern is required.")
            : new Pattern(pattern.Type, pattern.Fields, pattern.Responsible);
}
