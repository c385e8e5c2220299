using Equip.Protocol;

namespace Equip.Client.Components;

/// What a container's loop does next; handlers of replica changes only post these.
internal abstract record ContainerWork
{
    /// Launch the components of assigned requests that have none, stop those whose request left.
    public sealed record Reconcile : ContainerWork
    {
        public static readonly Reconcile Instance = new();
    }

    /// Look at a property item someone may have written, and apply or revert its value: the item
    /// as a change delivered it (each value of a frame is applied in turn), or, without one, as the
    /// replica holds it now.
    public sealed record CheckProperty(Guid ItemId, WireItem? Item = null) : ContainerWork;
}
