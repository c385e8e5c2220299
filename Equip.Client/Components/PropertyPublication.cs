using System.Runtime.CompilerServices;
using System.Text.Json;
using Equip.Protocol;

namespace Equip.Client.Components;

/// A property's item and the container's own writes to it. While a write of its own is unanswered,
/// or when the item's revision is not above that of its last own write, what the item shows is the
/// container's doing (or older): only a later revision is someone else's write.
internal sealed class PropertyPublication(RunningComponent running, ComponentProperty property)
{
    /// Value writes queued and not on their way yet, each with the value it will send; guarded by
    /// the component's gate.
    private readonly List<(PendingWrite Write, StrongBox<JsonElement> Value)> _waiting = [];

    public RunningComponent Running => running;

    public ComponentProperty Property => property;

    public Guid ItemId { get; } = Ect.PropertyItemId(running.Component.ComponentId, property.Name);

    /// Own writes not answered yet; guarded by the component's gate.
    public int Unanswered { get; private set; }

    /// The revision of the last own write answered; guarded by the component's gate.
    public long LastOwnRevision { get; private set; }

    /// Whether the item was looked at while own writes were unanswered; guarded by the component's gate.
    private bool _lookAgain;

    /// Whether the item may hold a value someone else wrote; the caller holds the gate. Looked at
    /// while own writes are unanswered it may not, but it is looked at again once they are.
    public bool MayHoldOthersWrite(WireItem item)
    {
        if (Unanswered > 0)
        {
            _lookAgain = true;
            return false;
        }
        return item.Revision > LastOwnRevision;
    }

    /// Publishes the property's value; the caller holds the gate. Each value is a write of its own
    /// while fewer than the client's ValuesQueuedPerItem wait to be sent; beyond them the newest
    /// waiting write takes the value instead, so a property set many times between two frames
    /// costs at most that many values on the wire, the last of them the latest.
    public Task PublishValue()
    {
        _waiting.RemoveAll(w => !w.Write.IsWaiting);
        if (_waiting.Count >= running.Container.Client.ValuesQueuedPerItemNow)
        {
            var (newest, value) = _waiting[^1];
            value.Value = property.ValueAsJson();
            return newest.Done;
        }
        var box = new StrongBox<JsonElement>(property.ValueAsJson());
        var write = running.Container.Client.QueueValue(ItemId, () => Read(box));
        _waiting.Add((write, box));
        _ = TrackAsync(Revision(write));
        return write.Done;
    }

    private JsonElement Read(StrongBox<JsonElement> value)
    {
        lock (running.Component.Gate)
        {
            return value.Value;
        }
    }

    private static async Task<long> Revision(PendingWrite write)
    {
        await write.Done;
        return write.Revision;
    }

    /// Counts a write the container just queued (the caller holds the gate), and once it and the
    /// others are answered asks for the item to be looked at again if it was looked at meanwhile:
    /// a write from someone else came in then. A device setting its own values wakes the container
    /// for nothing else.
    public async Task TrackAsync(Task<long> write)
    {
        Unanswered++;
        try
        {
            var revision = await write;
            lock (running.Component.Gate)
            {
                LastOwnRevision = Math.Max(LastOwnRevision, revision);
            }
        }
        catch (Exception)
        {
            // Refused (the item was deleted) or never sent (the client stopped): there is no write
            // of ours to wait for, which is all that matters here.
        }
        finally
        {
            bool lookAgain;
            lock (running.Component.Gate)
            {
                Unanswered--;
                lookAgain = Unanswered == 0 && _lookAgain;
                if (lookAgain)
                {
                    _lookAgain = false;
                }
            }
            if (lookAgain)
            {
                running.Container.Post(new ContainerWork.CheckProperty(ItemId));
            }
        }
    }
}
