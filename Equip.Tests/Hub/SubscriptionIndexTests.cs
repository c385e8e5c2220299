using Equip.Domain.Dataspace;
using Equip.Web.Hubs;
using Equip.Web.Hubs.FanOut;

namespace Equip.Tests.Hub;

/// The dispatcher's index on its own: which subscriptions an event's type leads to.
public sealed class SubscriptionIndexTests
{
    private static readonly Outbox Outbox = OutboxTests.Capturing().Outbox;

    private static Subscription Subscribing(string type, string? responsible = null) =>
        new(type, new Pattern(type, Responsible: responsible), Outbox, SubscriptionOptions.Default, () => null);

    private static List<string> Candidates(SubscriptionIndex index, string type, string? responsible = null)
    {
        var found = new List<Subscription>();
        index.Find(type, responsible, found);
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
        var second = new Subscription("second", new Pattern("ect.*"), Outbox, SubscriptionOptions.Default, () => null);
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
    public void AnEventLeadsToTheSubscriptionsOfAnyResponsibleAndToThoseOfItsOwnOnly()
    {
        var index = new SubscriptionIndex();
        index.Add(new Subscription("lamp-1", new Pattern("demo.*", Responsible: "lamp-1"), Outbox, SubscriptionOptions.Default, () => null));
        index.Add(new Subscription("lamp-2", new Pattern("demo.Thing", Responsible: "lamp-2"), Outbox, SubscriptionOptions.Default, () => null));
        index.Add(new Subscription("anyone", new Pattern("demo.Thing"), Outbox, SubscriptionOptions.Default, () => null));

        Assert.Equal(["anyone", "lamp-1"], Candidates(index, "demo.Thing", "lamp-1"));
        Assert.Equal(["anyone", "lamp-2"], Candidates(index, "demo.Thing", "lamp-2"));
        Assert.Equal(["anyone"], Candidates(index, "demo.Thing", "lamp-3"));
        Assert.Equal(["anyone"], Candidates(index, "demo.Thing"));

        index.Remove(new Subscription("never added", new Pattern("demo.*", Responsible: "lamp-1"), Outbox, SubscriptionOptions.Default, () => null));
        Assert.Equal(3, index.Count);
    }
}
