using System.Text.Json;
using Equip.Client;
using Equip.Protocol;
using Equip.Testing;
using Equip.Tests.Support;
using static Equip.Tests.Support.Devices;

namespace Equip.Tests.Client;

/// The server sends a connection no echo of its own values: the client's replicas take a value it
/// set in when the server acknowledges it, and say so (ReplicaChange.Own), so that a container (or
/// any other watcher) can tell its own doing from someone else's write.
public sealed class OwnValueChangeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AValueTheClientSetIsAnOwnChangeAtItsRevisionAndTheSameValueElsewhereIsNot(bool messagePack)
    {
        using var store = TestStore.Sqlite();
        using var server = new EquipServer(store);
        await using var device = Start(server.Address, "knob-1", messagePack);
        var knob = await device.AddAsync(Thing("knob", processBound: true)).WaitAsync(Wait.Timeout);
        await using var display = Start(server.Address, "display-1", messagePack);
        var own = device.Subscribe(new WirePattern { Type = "demo.Thing" });
        var other = display.Subscribe(new WirePattern { Type = "demo.Thing" });
        await own.Settled(r => r.HasSnapshot && r.Get(knob.Id) is not null);
        await other.Settled(r => r.HasSnapshot && r.Get(knob.Id) is not null);
        var ownChanges = new List<ReplicaChange>();
        var otherChanges = new List<ReplicaChange>();
        own.Changed += change => { lock (ownChanges) { ownChanges.Add(change); } };
        other.Changed += change => { lock (otherChanges) { otherChanges.Add(change); } };

        var revision = await device.SetValueAsync(knob.Id, JsonSerializer.SerializeToElement(42)).WaitAsync(Wait.Timeout);
        await own.Settled(r => r.Get(knob.Id)?.Revision == revision);
        await other.Settled(r => r.Get(knob.Id)?.Revision == revision);

        var mine = Assert.Single(Locked(ownChanges));
        Assert.True(mine.Own);
        Assert.Equal(ReplicaChangeKind.Updated, mine.Kind);
        Assert.Equal(revision, mine.Item.Revision);
        Assert.Equal(42, mine.Item.Fields.GetProperty("value").GetInt32());
        var theirs = Assert.Single(Locked(otherChanges));
        Assert.False(theirs.Own);
        Assert.Equal(revision, theirs.Item.Revision);
        Assert.Equal(42, theirs.Item.Fields.GetProperty("value").GetInt32());
    }

    private static List<ReplicaChange> Locked(List<ReplicaChange> changes)
    {
        lock (changes)
        {
            return [.. changes];
        }
    }
}
