using System.Text.Json;
using Equip.Domain.Access;
using Equip.Domain.Peers;
using Equip.Protocol;

namespace Equip.Infrastructure.Components;

/// What the component layer lets a peer publish. Requests, links and constants are the
/// installation's wiring: only the admin makes them (REST or the dashboard), never a device.
/// A device key bound to container ids publishes containers, capabilities and components of
/// those containers only. (Property items follow their component: a peer changes only its own.)
internal static class ComponentAuthority
{
    private static readonly HashSet<string> AdminOnly = [Ect.ComponentRequest, Ect.Link, Ect.Constant];
    private const string ContainerIdField = "containerId";
    private static readonly HashSet<string> OfAContainer = [Ect.Container, Ect.Capability, Ect.Component];

    public static bool PeerMayWrite(PeerActor? by, string type, JsonElement fields) => RefusalOf(by, type, fields) is null;

    public static void EnsurePeerMayWrite(PeerActor? by, string type, JsonElement fields)
    {
        if (RefusalOf(by, type, fields) is { } refusal)
        {
            throw new NotPermittedException(refusal);
        }
    }

    /// Why the peer may not write such an item, or null when it may.
    private static string? RefusalOf(PeerActor? by, string type, JsonElement fields)
    {
        if (by is null)
        {
            return null;
        }
        if (AdminOnly.Contains(type))
        {
            return $"Items of type '{type}' are made by the admin (REST or the dashboard), not by peers.";
        }
        return by.Grant is { } grant && OfAContainer.Contains(type) ? grant.RefusalOfContainer(ContainerIdOf(fields)) : null;
    }

    private static string? ContainerIdOf(JsonElement fields) =>
        fields.ValueKind == JsonValueKind.Object && fields.TryGetProperty(ContainerIdField, out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;
}
