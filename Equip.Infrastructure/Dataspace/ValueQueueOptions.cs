using System.ComponentModel.DataAnnotations;

namespace Equip.Infrastructure.Dataspace;

/// How many values of one item may wait together on their way to one receiver before the latest
/// takes the place of the newest of them (docs/protocol.md, Semantics and ordering).
public sealed class ValueQueueOptions
{
    public const string Section = "Equip:Values";

    /// Values (and unreliable updates) of one item that wait in a connection's outbox for one
    /// subscription, and values of one source a link carries in one writer turn. A receiver that
    /// keeps up gets every value; one that lags gets at most this many of an item at a time, the
    /// last of them the latest. 1 gives a lagging receiver the latest value only.
    [Range(1, 1000)]
    public int QueuedPerItem { get; set; } = 4;
}
