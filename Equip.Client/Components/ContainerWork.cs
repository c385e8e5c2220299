namespace Equip.Client.Components;

/// What a container's loop does next; handlers of replica changes only post these.
internal abstract record ContainerWork
{
    /// Launch the components of assigned requests that have none, stop those whose request left.
    public sealed record Reconcile : ContainerWork
    {
        public static readonly Reconcile Instance = new();
    }

    /// Look at a property item someone may have written, and apply or revert its value.
    public sealed record CheckProperty(Guid ItemId) : ContainerWork;
}
