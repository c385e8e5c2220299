using Equip.Domain.Dataspace;

namespace Equip.Tests.Domain;

public sealed class ItemTests : ItemClock
{
    [Fact]
    public void ACreatedItemHoldsWhatItWasAddedWithAndItsLeaseRunsFromNow()
    {
        var item = Created(TimeSpan.FromSeconds(30));

        Assert.Equal(Id, item.Id);
        Assert.Equal("demo.Lamp", item.Type);
        Assert.True(item.Fields.GetProperty("on").GetBoolean());
        Assert.Equal("lamp-1", item.Responsible);
        Assert.True(item.ProcessBound);
        Assert.Equal(7, item.Revision);
        Assert.Equal(Now, item.CreatedAt);
        Assert.Equal(Now, item.UpdatedAt);
        Assert.Equal(TimeSpan.FromSeconds(30), item.LeaseDuration);
        Assert.Equal(Now.AddSeconds(30), item.LeaseExpiresAt);
        Assert.Null(item.AssertedEpoch);
    }

    [Fact]
    public void AReaddReplacesTheContentTakesTheRevisionAndRestartsTheLeaseForItsOwnDuration()
    {
        var item = Created(TimeSpan.FromSeconds(30));
        var createdAt = Now;
        Time.Advance(TimeSpan.FromSeconds(20));

        item.Readd(new AddItem(Id, "demo.Light", Json.Quoted("{'on':false}"), "lamp-1", ProcessBound: false), 9, Now);

        Assert.Equal("demo.Light", item.Type);
        Assert.False(item.Fields.GetProperty("on").GetBoolean());
        Assert.False(item.ProcessBound);
        Assert.Equal(9, item.Revision);
        Assert.Equal(createdAt, item.CreatedAt);
        Assert.Equal(Now, item.UpdatedAt);
        Assert.Equal(TimeSpan.FromSeconds(30), item.LeaseDuration);
        Assert.Equal(Now.AddSeconds(30), item.LeaseExpiresAt);
    }

    [Fact]
    public void AnUpdateReplacesTheFieldsKeepsTheTypeWhenNoneIsGivenAndLeavesTheLeaseAsItIs()
    {
        var item = Created(TimeSpan.FromSeconds(30));
        var expiry = item.LeaseExpiresAt;
        Time.Advance(TimeSpan.FromSeconds(20));

        item.Update(new UpdateItem(Id, null, Json.Quoted("{'level':3}")), 8, Now);

        Assert.Equal("demo.Lamp", item.Type);
        Assert.False(item.Fields.TryGetProperty("on", out _));
        Assert.Equal(3, item.Fields.GetProperty("level").GetInt32());
        Assert.Equal(8, item.Revision);
        Assert.Equal(Now, item.UpdatedAt);
        Assert.Equal(expiry, item.LeaseExpiresAt);
        Assert.Equal("lamp-1", item.Responsible);
        Assert.True(item.ProcessBound);
    }

    [Fact]
    public void AnExpectedRevisionOtherThanTheItemsIsRefusedAndNoneIsAlwaysAccepted()
    {
        var item = Created(revision: 7);

        item.EnsureRevision(7);
        item.EnsureRevision(null);
        var refusal = Assert.Throws<RevisionMismatchException>(() => item.EnsureRevision(6));
        Assert.Equal(6, refusal.Expected);
        Assert.Equal(7, refusal.Actual);
    }

    [Theory]
    [InlineData("demo.Lamp", "{'on':true}", true, true)]
    [InlineData("demo.Lamp", "{ 'on' : true }", true, true)]
    [InlineData("demo.Light", "{'on':true}", true, false)]
    [InlineData("demo.Lamp", "{'on':false}", true, false)]
    [InlineData("demo.Lamp", "{'on':true}", false, false)]
    public void TheSameContentIsTheSameTypeFieldsAndProcessBoundFlag(string type, string fields, bool processBound, bool same) =>
        Assert.Equal(same, Created().HasSameContent(type, Json.Quoted(fields), processBound));

    [Fact]
    public void ACopyChangesWithoutTheOriginalAndIsNoLongerTheSameVersion()
    {
        var item = Created(TimeSpan.FromSeconds(30));
        var copy = item.Copy();
        Assert.True(copy.IsSameVersion(item));

        copy.Update(new UpdateItem(Id, null, Json.Empty), 8, Now);

        Assert.Equal(7, item.Revision);
        Assert.False(copy.IsSameVersion(item));
    }

    [Fact]
    public void TheStateOfAnItemIsWhatReadersSee()
    {
        var item = Created(TimeSpan.FromSeconds(30));

        var state = item.ToState();

        Assert.Equal(new ItemState(Id, "demo.Lamp", item.Fields, "lamp-1", true, Now.AddSeconds(30), 7, Now, Now), state);
    }
}
