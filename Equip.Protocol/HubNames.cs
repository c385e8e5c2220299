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

    /// Client callback: value changes of a subscription made with compactValues.
    public const string Values = "Values";

    /// Client callback: acknowledges the connection's SetValues calls through a sequence number.
    public const string ValuesApplied = "ValuesApplied";

    /// Hub method: Begins a session (or resumes it): the first call on a connection.
    public const string Register = "Register";

    /// Hub method: Adds an item, or re-adds one with the same id.
    public const string Add = "Add";

    /// Hub method: Replaces an item's fields (and optionally type and lease).
    public const string Update = "Update";

    /// Hub method: Sets item values (sent without waiting for an answer; see ValuesApplied).
    public const string SetValues = "SetValues";

    /// Hub method: Deletes an item.
    public const string Delete = "Delete";

    /// Hub method: Renews an item's lease.
    public const string RenewLease = "RenewLease";

    /// Hub method: Reads one item.
    public const string Get = "Get";

    /// Hub method: Reads one page of matching items.
    public const string Query = "Query";

    /// Hub method: Starts a subscription: a snapshot or a replay, then its events.
    public const string Subscribe = "Subscribe";

    /// Hub method: Ends a subscription.
    public const string Unsubscribe = "Unsubscribe";

    /// Hub method: Re-asserts the peer's own items after a reconnect.
    public const string Reassert = "Reassert";

    /// Hub method: Ends the re-synchronisation after a connect: what was not re-asserted is removed.
    public const string SyncComplete = "SyncComplete";
}
