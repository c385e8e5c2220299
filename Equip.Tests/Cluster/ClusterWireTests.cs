using System.Text.Json;
using Equip.Domain.Access;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Access;
using Equip.Infrastructure.Cluster;
using Equip.Infrastructure.Dataspace;
using Equip.Web.Cluster;

namespace Equip.Tests.Cluster;

/// What crosses the replication channel (docs/scaling.md) as SignalR's JSON protocol writes it
/// (System.Text.Json, web defaults): every forwarded command and answer reads back as it was
/// written, and every refusal comes back as the exception the leader threw.
public sealed class ClusterWireTests
{
    private static readonly JsonSerializerOptions Wire = ClusterJson.Configure(new(JsonSerializerDefaults.Web));

    private static T RoundTrip<T>(T value) => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, Wire), Wire)!;

    private static readonly PeerActor Bound = new("lamp-1", "inc-7", 3,
        new DeviceGrant(Guid.NewGuid(), "lamps", new HashSet<string> { "lamp-1", "lamp-2" }, new HashSet<string> { "lamp-1" }));

    [Fact]
    public void ARegistrationWithADeviceKeysGrantReadsBackWithItsBounds()
    {
        var back = RoundTrip(new ForwardedRegistration("lamp-1", "inc-7", "Lamp", Bound.Grant));
        Assert.Equal(Bound.Grant!.KeyId, back.Grant!.KeyId);
        Assert.Equal(["lamp-1", "lamp-2"], back.Grant.ContainerIds.Order());
        Assert.Equal(["lamp-1"], back.Grant.PeerIds);
        Assert.Null(back.Grant.RefusalOfContainer("lamp-2"));
        Assert.NotNull(back.Grant.RefusalOfContainer("heater"));
    }

    [Fact]
    public void CommandsAndTheirWritersIdentityReadBackWhole()
    {
        var fields = JsonSerializer.SerializeToElement(new { name = "desk", value = 0.5 });
        var add = RoundTrip(new AddItem(Guid.NewGuid(), "demo.Lamp", fields, "lamp-1", true, TimeSpan.FromSeconds(30), Bound));
        Assert.Equal(TimeSpan.FromSeconds(30), add.Lease);
        Assert.True(add.ProcessBound);
        Assert.Equal(Bound.Association, add.By!.Association);
        Assert.Equal(Bound.Grant!.PeerIds, add.By.Grant!.PeerIds);
        Assert.True(JsonElement.DeepEquals(fields, add.Fields));

        var values = RoundTrip(new ForwardedValues([new ValueWrite(Guid.NewGuid(), JsonSerializer.SerializeToElement(42))], Bound, SkipUnchanged: true));
        Assert.Equal(42, values.Values[0].Value.GetInt32());
        Assert.True(values.SkipUnchanged);

        var reasserted = RoundTrip(new ReassertedItem(Guid.NewGuid(), "demo.Lamp", fields, true, TimeSpan.FromSeconds(5), 17));
        Assert.Equal(17, reasserted.KnownRevision);
        Assert.Equal(TimeSpan.FromSeconds(5), reasserted.Lease);
    }

    [Fact]
    public void ABatchOfTheStreamReadsBackWithItsEventsKindsAndWriters()
    {
        var state = new ItemState(Guid.NewGuid(), "demo.Lamp", JsonSerializer.SerializeToElement(new { value = 1 }), "lamp-1", false, null, 9, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var batch = new ReplicatedBatch(4, [ChangeEvent.ValueSet(state, Bound), ChangeEvent.Deleted(state, 10, DeleteReason.Bound, DateTimeOffset.UnixEpoch)], 8, 2, [new RevisionRange(3, 5)]);
        var back = RoundTrip(batch);
        Assert.Equal(4, back.Term);
        Assert.True(back.Events[0].ValueOnly);
        Assert.True(back.Events[0].Unreliable);
        Assert.Equal("lamp-1", back.Events[0].By!.PeerId);
        Assert.Equal(state, back.Events[0].Item);
        Assert.Equal((ChangeKind.Deleted, DeleteReason.Bound, 10L), (back.Events[1].Kind, back.Events[1].Reason, back.Events[1].Revision));
        Assert.Equal(new RevisionRange(3, 5), back.Gaps[0]);
    }

    public static TheoryData<Exception> Refusals() =>
    [
        new ItemNotFoundException(Guid.NewGuid()),
        new NotResponsibleException(Guid.NewGuid(), "intruder", "lamp-1"),
        new StaleIncarnationException("lamp-1", "inc-6"),
        new InvalidItemException("fields must be an object"),
        new DeviceKeyNotFoundException(Guid.NewGuid()),
        new ServiceStoppingException(),
        new CommitOutcomeUnknownException(new TimeoutException("the commit timed out")),
    ];

    [Theory]
    [MemberData(nameof(Refusals))]
    public void ARefusalComesBackAsTheExceptionTheLeaderThrew(Exception refusal)
    {
        var back = ForwardedRefusals.Rebuild(RoundTrip(ForwardedRefusals.Of(refusal)!));
        Assert.IsType(refusal.GetType(), back);
        Assert.Equal(refusal.Message, back.Message);
    }

    [Fact]
    public void ARevisionMismatchAndALimitKeepWhatTheAnswersReadFromThem()
    {
        var id = Guid.NewGuid();
        var mismatch = Assert.IsType<RevisionMismatchException>(ForwardedRefusals.Rebuild(RoundTrip(ForwardedRefusals.Of(new RevisionMismatchException(id, 3, 8))!)));
        Assert.Equal((3L, 8L), (mismatch.Expected, mismatch.Actual));
        Assert.Contains(id.ToString(), mismatch.Message);
        var limit = Assert.IsType<LimitReachedException>(ForwardedRefusals.Rebuild(RoundTrip(ForwardedRefusals.Of(new LimitReachedException("MaxValuesPerCall", "Too many values."))!)));
        Assert.Equal("MaxValuesPerCall", limit.Limit);
        Assert.Equal("Too many values. (Equip:Limits:Items:MaxValuesPerCall)", limit.Message);
    }

    [Fact]
    public void AFailureThatIsNoRefusalIsNotForwardedAsOne() =>
        Assert.Null(ForwardedRefusals.Of(new InvalidOperationException("the server's own failure")));
}
