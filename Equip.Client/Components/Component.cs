namespace Equip.Client.Components;

/// <summary>
/// A component a <see cref="ComponentContainer"/> runs for a capability. Declare its properties
/// in the constructor with <see cref="Property{T}"/> (the container reads the capability's schema
/// from a prototype, so the constructor should only declare); start timers and other work in
/// <see cref="StartAsync"/>; release it in <see cref="DisposeAsyncCore"/>.
/// </summary>
public abstract class Component : IAsyncDisposable
{
    private readonly List<ComponentProperty> _properties = [];
    private CancellationTokenSource? _stopping;
    private bool _disposed;

    /// <summary>The component's id (for a requested component, its request's id); empty until launched.</summary>
    public string ComponentId { get; private set; } = "";

    /// <summary>The capability it was made for; empty until launched.</summary>
    public string Capability { get; private set; } = "";

    /// <summary>The ect.ComponentRequest item it was launched for, if any.</summary>
    public Guid? ComponentRequestId { get; private set; }

    /// <summary>Its properties, in the order they were declared.</summary>
    public IReadOnlyList<ComponentProperty> Properties
    {
        get
        {
            lock (Gate)
            {
                return [.. _properties];
            }
        }
    }

    /// Guards the values of the properties and their publication, so that concurrent sets are
    /// published in the order they were made.
    internal object Gate { get; } = new();

    /// The container's side of the component while it runs; null before launch and after stop.
    internal RunningComponent? Running { get; private set; }

    /// <summary>Stops the component: its <see cref="StartAsync"/> token is cancelled and <see cref="DisposeAsyncCore"/> runs.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (Gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            Running = null;
        }
        if (_stopping is not null)
        {
            await _stopping.CancelAsync();
        }
        await DisposeAsyncCore();
        _stopping?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Declares a property. In the constructor it becomes part of the capability's schema with
    /// <paramref name="initial"/> as its default; while the component runs it is published at once
    /// (a property added at run time).
    /// </summary>
    /// <typeparam name="T">string ("string"), double ("number"), long or int ("integer"), bool ("boolean") or JsonElement ("json").</typeparam>
    /// <param name="name">Unique within the component.</param>
    /// <param name="initial">The value until something sets another.</param>
    /// <param name="readOnly">Only the component sets it; values written from outside are reverted.</param>
    protected ComponentProperty<T> Property<T>(string name, T initial, bool readOnly = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var property = new ComponentProperty<T>(this, name, initial, readOnly);
        lock (Gate)
        {
            if (_properties.Any(p => p.Name == name))
            {
                throw new InvalidOperationException($"The component already has a property named '{name}'.");
            }
            _properties.Add(property);
            Running?.PublishNew(property);
        }
        return property;
    }

    /// <summary>
    /// Runs once the initial values are set, before the component's items are published, on the
    /// container's loop: return promptly. Derive values from the initial ones here (they are set
    /// without raising Changed), and start timers that stop when <paramref name="cancellationToken"/>
    /// is cancelled (the component stops). Values set here are published with the component; if it
    /// throws, the component is not launched.
    /// </summary>
    protected virtual Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Releases what the component holds, after its <see cref="StartAsync"/> token was cancelled.</summary>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;

    internal void Identify(string componentId, string capability, Guid? componentRequestId)
    {
        ComponentId = componentId;
        Capability = capability;
        ComponentRequestId = componentRequestId;
    }

    internal ComponentProperty? Find(string name)
    {
        lock (Gate)
        {
            return _properties.FirstOrDefault(p => p.Name == name);
        }
    }

    internal Task StartRunningAsync()
    {
        _stopping = new CancellationTokenSource();
        return StartAsync(_stopping.Token);
    }

    /// Binds the component to its running side, which publishes it; the caller holds the gate.
    internal void Attach(RunningComponent running)
    {
        if (!_disposed)
        {
            Running = running;
        }
    }
}
