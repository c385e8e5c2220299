namespace Equip.Protocol;

/// The hub's path and the names of its methods and of the client callbacks.
public static class HubNames
{
    /// The hub's path on the server.
    public const string Path = "/hubs/dataspace";

    /// Client callback: the first state of a subscription (its matching items).
    public const string Snapshot = "Snapshot";

    /// Client callback: events of a subscription, in revision order.
    public const string Changes = "Changes";
}
