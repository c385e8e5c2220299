using Equip.Domain.Dataspace;

namespace Equip.Tests.Domain;

/// Leases: how they start, run, renew, restart and shorten; none of this takes a revision.
public sealed class ItemLeaseTests : ItemClock
{
    [Fact]
    public void AnItemAddedWithoutALeaseHasNoneAndNeverExpires()
    {
        var item = Created();
        Time.Advance(TimeSpan.FromDays(10_000));

        Assert.Null(item.LeaseDuration);
        Assert.Null(item.LeaseExpiresAt);
        Assert.False(item.IsExpired(Now));
    }

    [Fact]
    public void AnItemExpiresWhenItsLeaseEndsNotBefore()
    {
        var item = Created(TimeSpan.FromSeconds(30));

        Time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        Assert.False(item.IsExpired(Now));
        Time.Advance(TimeSpan.FromTicks(1));
        Assert.True(item.IsExpired(Now));
    }

    [Fact]
    public void AReaddWithALeaseRenewsForTheNewDuration()
    {
        var item = Created(TimeSpan.FromSeconds(30));
        Time.Advance(TimeSpan.FromSeconds(20));

        item.Readd(new AddItem(Id, "demo.Lamp", Json.Empty, "lamp-1", Lease: TimeSpan.FromMinutes(5)), 9, Now);

        Assert.Equal(TimeSpan.FromMinutes(5), item.LeaseDuration);
        Assert.Equal(Now.AddMinutes(5), item.LeaseExpiresAt);
    }

    [Fact]
    public void AReaddOfAnItemWithoutALeaseLeavesItWithout()
    {
        var item = Created();

        item.Readd(new AddItem(Id, "demo.Lamp", Json.Empty, "lamp-1"), 9, Now);

        Assert.Null(item.LeaseExpiresAt);
    }

    [Fact]
    public void AnUpdateWithALeaseStartsOneAlsoOnAnItemThatHadNone()
    {
        var item = Created();

        item.Update(new UpdateItem(Id, "demo.Light", Json.Empty, Lease: TimeSpan.FromSeconds(10)), 8, Now);

        Assert.Equal("demo.Light", item.Type);
        Assert.Equal(TimeSpan.FromSeconds(10), item.LeaseDuration);
        Assert.Equal(Now.AddSeconds(10), item.LeaseExpiresAt);
    }

    [Fact]
    public void ARenewalExtendsTheLeaseFromNowWithoutARevision()
    {
        var item = Created(TimeSpan.FromSeconds(30));
        Time.Advance(TimeSpan.FromSeconds(25));

        item.RenewLease(null, Now);

        Assert.Equal(Now.AddSeconds(30), item.LeaseExpiresAt);
        Assert.Equal(7, item.Revision);
        Assert.Equal(item.CreatedAt, item.UpdatedAt);
    }

    [Fact]
    public void ARenewalWithALengthStartsALeaseOnAnItemWithoutOne()
    {
        var item = Created();

        item.RenewLease(TimeSpan.FromSeconds(5), Now);

        Assert.Equal(TimeSpan.FromSeconds(5), item.LeaseDuration);
        Assert.Equal(Now.AddSeconds(5), item.LeaseExpiresAt);
    }

    [Fact]
    public void ARenewalWithALengthReplacesTheDurationTheItemHad()
    {
        var item = Created(TimeSpan.FromSeconds(30));
        Time.Advance(TimeSpan.FromSeconds(10));

        item.RenewLease(TimeSpan.FromMinutes(2), Now);

        Assert.Equal(TimeSpan.FromMinutes(2), item.LeaseDuration);
        Assert.Equal(Now.AddMinutes(2), item.LeaseExpiresAt);
    }

    [Fact]
    public void ARenewalOfAnItemWithoutALeaseAndWithoutALengthIsRefused()
    {
        var item = Created();

        Assert.Throws<ItemHasNoLeaseException>(() => item.RenewLease(null, Now));
        Assert.Null(item.LeaseDuration);
        Assert.Null(item.LeaseExpiresAt);
    }

    [Fact]
    public void ARestartedLeaseRunsItsOwnDurationAgainAndNoLeaseStaysNone()
    {
        var leased = Created(TimeSpan.FromSeconds(30));
        var unleased = Created();
        Time.Advance(TimeSpan.FromSeconds(29));

        leased.RestartLease(Now);
        unleased.RestartLease(Now);

        Assert.Equal(Now.AddSeconds(30), leased.LeaseExpiresAt);
        Assert.Null(unleased.LeaseExpiresAt);
    }

    [Fact]
    public void TruncationBringsALaterLeaseForwardButNeverExtendsOneOrStartsOne()
    {
        var longLease = Created(TimeSpan.FromMinutes(10));
        var shortLease = Created(TimeSpan.FromSeconds(5));
        var noLease = Created();
        var window = Now.AddSeconds(30);

        longLease.TruncateLease(window);
        shortLease.TruncateLease(window);
        noLease.TruncateLease(window);

        Assert.Equal(window, longLease.LeaseExpiresAt);
        Assert.Equal(TimeSpan.FromMinutes(10), longLease.LeaseDuration);
        Assert.Equal(Now.AddSeconds(5), shortLease.LeaseExpiresAt);
        Assert.Null(noLease.LeaseExpiresAt);
    }

    [Fact]
    public void LeaseBookkeepingAndAssertionMarksMakeAnotherVersionWithoutARevision()
    {
        var item = Created(TimeSpan.FromSeconds(30));
        var renewed = item.Copy();
        var asserted = item.Copy();
        Time.Advance(TimeSpan.FromSeconds(1));

        renewed.RenewLease(null, Now);
        asserted.MarkAsserted(3);

        Assert.False(renewed.IsSameVersion(item));
        Assert.False(asserted.IsSameVersion(item));
        Assert.Equal(3, asserted.AssertedEpoch);
        Assert.Equal(item.Revision, renewed.Revision);
    }
}
