namespace Equip.Client.Components;

/// <summary>How a <see cref="ComponentContainer"/> describes itself in its ect.Container item.</summary>
public sealed class ComponentContainerOptions
{
    /// <summary>A display name; the container id when absent.</summary>
    public string? Name { get; init; }

    /// <summary>The host it runs on, which requests may select.</summary>
    public string Host { get; init; } = Environment.MachineName;

    /// <summary>Labels that requests may select, such as room=hall.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>How long disposal waits for the container's items to be deleted while connected.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
