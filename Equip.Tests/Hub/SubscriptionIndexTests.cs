using Equip.Domain.Dataspace;
using Equip.Web.Hubs;

namespace Equip.Tests.Hub;

/// The dispatcher's index on its own: which subscriptions an event's type leads to.
public sealed class SubscriptionIndexTests
{
    private static readonly Outbox Outbox = new(100, () => { });

    private static Subscription Subscribing(string type, string? responsible = null) =>
        new(type, new Pattern(type, Responsible: responsible), Outbox);

    private static List<string> Candidates(SubscriptionIndex index, string type)
    {
        var found = new List<Subscription>();
        index.FindByType(type, found);
        return [.. found.Select(s => s.Id).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void AnEventsTypeLeadsToItsExactTypeAndEveryPrefixOfItAndNothingElse()
    {
        var index = new SubscriptionIndex();
        foreach (var type in new[] { "*", "e*", "ect.*", "ect.Link", "ect.Linked", "ect.L*", "ect.Links*", "demo.*", "demo.Thing", "ecu*" })
        {
            index.Add(Subscribing(type));
        }

        Assert.Equal(["*", "e*", "ect.*", "ect.L*", "ect.Link"], Candidates(index, "ect.Link"));
        Assert.Equal(["*", "e*", "ect.*", "ect.L*", "ect.Links*"], Candidates(index, "ect.Links"));
        Assert.Equal(["*", "demo.*"], Candidates(index, "demo.Other"));
        Assert.Equal(["*", "e*"], Candidates(index, "ect"));
        Assert.Equal(["*"], Candidates(index, "x"));
        Assert.Equal(10, index.Count);
    }

    [Fact]
    public void ARemovedSubscriptionIsNoLongerFoundAndOthersOfItsKeyStay()
    {
        var index = new SubscriptionIndex();
        var first = Subscribing("ect.*");
        var second = new Subscription("second", new Pattern("ect.*"), Outbox);
        var exact = Subscribing("ect.Link");
        index.Add(first);
        index.Add(second);
        index.Add(exact);

        index.Remove(first);
        index.Remove(exact);
        index.Remove(exact);

        Assert.Equal(["second"], Candidates(index, "ect.Link"));
        index.Remove(second);
        Assert.Empty(Candidates(index, "ect.Link"));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void TheResponsiblePeerDoesNotNarrowTheCandidatesTheSubscriptionFiltersIt()
    {
        var index = new SubscriptionIndex();
        index.Add(Subscribing("demo.*", responsible: "lamp-1"));

        Assert.Equal(["demo.*"], Candidates(index, "demo.Thing"));
    }
}
