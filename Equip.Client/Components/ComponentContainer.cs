using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Equip.Protocol;

namespace Equip.Client.Components;

/// <summary>
/// Runs components on a device. It publishes an ect.Container item and one ect.Capability item
/// per exported capability; launches a component for every ect.ComponentRequest assigned to it
/// (assignedContainerId) and stops it when the request goes or is assigned elsewhere; publishes
/// each component's properties as ect.Property items; and applies values others write into those
/// items, reverting read-only properties and values that do not convert. All its items are
/// process-bound items of the client, whose peer id is the container id.
/// </summary>
public sealed class ComponentContainer : IAsyncDisposable
{
    private readonly ComponentContainerOptions _options;
    private readonly List<CapabilityExport> _exports = [];
    private readonly ConcurrentDictionary<string, RunningComponent> _running = new();
    private readonly PropertyWrites _writes = new();
    private readonly Dictionary<Guid, long> _failedRequests = new();
    private readonly Channel<ContainerWork> _work = Channel.CreateUnbounded<ContainerWork>(new UnboundedChannelOptions { SingleReader = true });
    private Replica? _requests;
    private Replica? _properties;
    private Task? _loop;
    private int _reconcilePosted;

    /// <summary>Makes a container on a client whose peer id is the container id; call <see cref="StartAsync"/> to run it.</summary>
    /// <param name="client">The device's client; the caller starts and disposes it.</param>
    /// <param name="containerId">The container's stable id, chosen by the device: the client's peer id.</param>
    /// <param name="options">Name, host and labels.</param>
    public ComponentContainer(EquipClient client, string containerId, ComponentContainerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        if (client.PeerId != containerId)
        {
            throw new ArgumentException($"A container is the peer with its id: the client's PeerId is '{client.PeerId}', not '{containerId}'.", nameof(containerId));
        }
        Client = client;
        ContainerId = containerId;
        _options = options ?? new ComponentContainerOptions();
    }

    /// <summary>The container's id.</summary>
    public string ContainerId { get; }

    /// <summary>A snapshot of the running components, by component id.</summary>
    public IReadOnlyDictionary<string, Component> Components =>
        _running.ToDictionary(r => r.Key, r => r.Value.Component);

    /// <summary>The exported capabilities.</summary>
    public IReadOnlyList<string> Capabilities => [.. Exported().Select(e => e.Name)];

    /// <summary>Raised on the container's loop when a component was launched and its items were queued for publication.</summary>
    public event Action<Component>? Launched;

    /// <summary>Raised when a component was stopped and the deletes of its items were queued.</summary>
    public event Action<Component>? Stopped;

    /// <summary>Raised when a component's own code threw; a component whose start failed is not launched again until its request changes.</summary>
    public event Action<ComponentFailure>? ComponentFailed;

    internal EquipClient Client { get; }

    /// <summary>
    /// Exports a capability: components of <typeparamref name="TComponent"/> can be requested under
    /// this name. The schema is read from a prototype made now. After start, it is published at once.
    /// </summary>
    public void Export<TComponent>(string capability) where TComponent : Component, new()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(capability);
        var export = new CapabilityExport(capability, () => new TComponent());
        lock (_exports)
        {
            if (_exports.Any(e => e.Name == capability))
            {
                throw new InvalidOperationException($"Capability '{capability}' is exported already.");
            }
            _exports.Add(export);
        }
        if (_loop is not null)
        {
            PublishCapability(export);
            PostReconcile();
        }
    }

    /// <summary>
    /// Starts the container: its ect.Container and ect.Capability items are queued on the client
    /// (published as soon as it is connected), and it follows the requests assigned to it.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_loop is not null)
        {
            throw new InvalidOperationException("The container has started already.");
        }
        Forget(Client.AddAsync(new AddRequest
        {
            Id = Ect.ContainerItemId(ContainerId),
            Type = Ect.Container,
            Fields = EctFields.Container(ContainerId, _options.Name ?? ContainerId, _options.Host, _options.Labels),
            ProcessBound = true,
        }));
        foreach (var export in Exported())
        {
            PublishCapability(export);
        }
        _properties = Client.Subscribe(new WirePattern { Type = Ect.Property, Responsible = ContainerId });
        _properties.Changed += OnPropertyChanged;
        _requests = Client.Subscribe(new WirePattern
        {
            Type = Ect.ComponentRequest,
            Fields = new Dictionary<string, JsonElement> { ["assignedContainerId"] = JsonSerializer.SerializeToElement(ContainerId) },
        });
        _requests.Changed += OnRequestChanged;
        _loop = Task.Run(RunAsync, CancellationToken.None);
        PostReconcile();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops every component and deletes the container's items, waiting for that while the client
    /// is connected (at most <see cref="ComponentContainerOptions.ShutdownTimeout"/>). The client
    /// is left running.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_requests is not null)
        {
            _requests.Changed -= OnRequestChanged;
        }
        if (_properties is not null)
        {
            _properties.Changed -= OnPropertyChanged;
        }
        if (!_work.Writer.TryComplete())
        {
            return;
        }
        if (_loop is null)
        {
            return;
        }
        await _loop;
        var deletes = new List<Task>();
        foreach (var running in _running.Values.ToList())
        {
            deletes.AddRange(await StopAsync(running));
        }
        deletes.AddRange(Exported().Select(e => Client.DeleteOwnAsync(Ect.CapabilityItemId(ContainerId, e.Name))));
        deletes.Add(Client.DeleteOwnAsync(Ect.ContainerItemId(ContainerId)));
        try
        {
            await Task.WhenAll(deletes).WaitAsync(_options.ShutdownTimeout);
        }
        catch (Exception)
        {
            // Not connected in time, or the client stopped: the items are process-bound, and the
            // server removes them when the client's session ends.
        }
    }

    internal void Post(ContainerWork work) => _work.Writer.TryWrite(work);

    internal void Register(PropertyPublication publication) => _writes.Add(publication);

    /// A write the container does not wait for; its failure leaves nothing to do (the item was
    /// deleted by someone else, or the client stopped).
    /// Whether the component still runs here (its items are still this container's to publish).
    internal bool Runs(RunningComponent running) => _running.TryGetValue(running.Component.ComponentId, out var current) && current == running;

    internal void Forget(Task write) =>
        write.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private IReadOnlyList<CapabilityExport> Exported()
    {
        lock (_exports)
        {
            return [.. _exports];
        }
    }

    private void PublishCapability(CapabilityExport export) =>
        Forget(Client.AddAsync(new AddRequest
        {
            Id = Ect.CapabilityItemId(ContainerId, export.Name),
            Type = Ect.Capability,
            Fields = EctFields.Capability(ContainerId, export),
            ProcessBound = true,
        }));

    private void OnRequestChanged(ReplicaChange change) => PostReconcile();

    /// A value of the container's own is still counted unanswered when the replica takes it in, so
    /// looking at it would find nothing; the look once it is answered (PropertyPublication) follows.
    private void OnPropertyChanged(ReplicaChange change)
    {
        if (change.Kind != ReplicaChangeKind.Removed && !change.Own)
        {
            Post(new ContainerWork.CheckProperty(change.Item.Id, change.Item));
        }
    }

    /// Requests are reconciled against the replica as it is when the work runs, so one pending
    /// reconciliation covers any number of changes.
    private void PostReconcile()
    {
        if (Interlocked.Exchange(ref _reconcilePosted, 1) == 0)
        {
            Post(ContainerWork.Reconcile.Instance);
        }
    }

    private async Task RunAsync()
    {
        await foreach (var work in _work.Reader.ReadAllAsync())
        {
            switch (work)
            {
                case ContainerWork.Reconcile:
                    Volatile.Write(ref _reconcilePosted, 0);
                    await ReconcileAsync();
                    break;
                case ContainerWork.CheckProperty check:
                    CheckProperty(check.ItemId, check.Item);
                    break;
            }
        }
    }

    private async Task ReconcileAsync()
    {
        var exports = Exported().ToDictionary(e => e.Name);
        var assigned = _requests!.Items
            .Select(ComponentRequestItem.From)
            .Where(r => r.Capability is not null && exports.ContainsKey(r.Capability))
            .ToDictionary(r => r.ComponentId);
        foreach (var running in _running.Values.Where(r => !assigned.ContainsKey(r.Component.ComponentId)).ToList())
        {
            foreach (var delete in await StopAsync(running))
            {
                Forget(delete);
            }
        }
        foreach (var failed in _failedRequests.Keys.Where(id => !assigned.ContainsKey(Ect.ComponentIdForRequest(id))).ToList())
        {
            _failedRequests.Remove(failed);
        }
        foreach (var request in assigned.Values)
        {
            if (!_running.ContainsKey(request.ComponentId) && _failedRequests.GetValueOrDefault(request.Id) != request.Revision)
            {
                await LaunchAsync(request, exports[request.Capability!]);
            }
        }
    }

    private async Task LaunchAsync(ComponentRequestItem request, CapabilityExport export)
    {
        Component? component = null;
        try
        {
            component = export.Create();
            component.Identify(request.ComponentId, request.Capability!, request.Id);
            request.Initialise(component);
            await component.StartRunningAsync();
        }
        catch (Exception error)
        {
            _failedRequests[request.Id] = request.Revision;
            if (component is not null)
            {
                await DisposeComponentAsync(component);
            }
            ComponentFailed?.Invoke(new ComponentFailure(request.ComponentId, request.Capability!, error));
            return;
        }
        var running = new RunningComponent(this, component);
        _running[component.ComponentId] = running;
        running.Publish();
        Launched?.Invoke(component);
    }

    /// Stops a component and queues the deletes of its items, after any value it published.
    private async Task<IReadOnlyList<Task>> StopAsync(RunningComponent running)
    {
        _running.TryRemove(running.Component.ComponentId, out _);
        await DisposeComponentAsync(running.Component);
        var itemIds = running.ItemIds();
        _writes.Remove(itemIds);
        var deletes = itemIds.Select(id => Client.DeleteOwnAsync(id)).ToList();
        Stopped?.Invoke(running.Component);
        return deletes;
    }

    private async Task DisposeComponentAsync(Component component)
    {
        try
        {
            await component.DisposeAsync();
        }
        catch (Exception error)
        {
            ComponentFailed?.Invoke(new ComponentFailure(component.ComponentId, component.Capability, error));
        }
    }

    /// Someone may have written a property's item: apply the value, or publish the real item again.
    private void CheckProperty(Guid itemId, WireItem? delivered)
    {
        if ((delivered ?? _properties!.Get(itemId)) is { } item && _writes.Check(item) is { } applied)
        {
            Guard(applied.Component, applied.Changed);
        }
    }

    /// Runs a component's own code (a handler), reporting what it throws instead of stopping the loop.
    private void Guard(Component component, Action code)
    {
        try
        {
            code();
        }
        catch (Exception error)
        {
            ComponentFailed?.Invoke(new ComponentFailure(component.ComponentId, component.Capability, error));
        }
    }
}
