using MessagePack;

namespace Equip.Protocol;

/// The first call on a connection: who is speaking.
[MessagePackObject]
public sealed record RegisterRequest
{
    /// The peer's stable id, kept on the device across restarts.
    [Key("peerId")] public string PeerId { get; init; } = "";

    /// New for every start of the peer's process.
    [Key("incarnation")] public string Incarnation { get; init; } = "";

    /// A display name.
    [Key("name")] public string Name { get; init; } = "";

    /// The last revision the peer saw, if any (informational: catch-up is per subscription).
    [Key("lastRevision")] public long? LastRevision { get; init; }
}

/// The answer to Register.
[MessagePackObject]
public sealed record RegisterResponse
{
    /// True when this incarnation's session was still present (it returned within the grace
    /// period): nothing of it was removed.
    [Key("sessionPresent")] public bool SessionPresent { get; init; }

    /// The dataspace's revision now.
    [Key("currentRevision")] public long CurrentRevision { get; init; }

    /// The oldest revision the change log still holds; catching up from before it needs a snapshot.
    [Key("oldestRetainedRevision")] public long OldestRetainedRevision { get; init; }

    /// Numbers this association among the peer's registrations.
    [Key("association")] public long Association { get; init; }
}
