using System.Text.Json;
using Equip.Domain.Dataspace;

namespace Equip.Tests.Domain;

public sealed class PatternTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 20, 0, 0, TimeSpan.Zero);

    private static ItemState ItemOf(string type = "ect.Link", string fields = "{}", string? responsible = null) =>
        new(Guid.NewGuid(), type, Json.Quoted(fields), responsible, false, null, 1, At, At);

    private static Pattern Fields(string fields) =>
        new("*", Json.Quoted(fields).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()));

    [Theory]
    [InlineData("ect.Link", "ect.Link", true)]
    [InlineData("ect.Link", "ect.Linked", false)]
    [InlineData("ect.Link", "ect.Lin", false)]
    [InlineData("ect.Link", "ect.link", false)]
    [InlineData("ect.*", "ect.Link", true)]
    [InlineData("ect.*", "ect.", true)]
    [InlineData("ect.*", "ect", false)]
    [InlineData("ect.*", "Ect.Link", false)]
    [InlineData("ect.*", "ectx.Link", false)]
    [InlineData("ect.L*", "ect.Link", true)]
    [InlineData("ect.L*", "ect.Constant", false)]
    [InlineData("*", "ect.Link", true)]
    [InlineData("*", "x", true)]
    public void ATypeMatchesExactlyOrByAPrefixEndingInAStarCaseSensitively(string pattern, string type, bool matches)
    {
        Assert.Equal(matches, new Pattern(pattern).MatchesType(type));
        Assert.Equal(matches, new Pattern(pattern).Matches(ItemOf(type)));
    }

    [Fact]
    public void ThePatternOfEverythingMatchesAnyItem() =>
        Assert.True(Pattern.All.Matches(ItemOf("demo.Thing", "{'a':1}", "lamp-1")));

    [Theory]
    [InlineData("{'a':1}", "{'a':1,'b':2}", true)]
    [InlineData("{'a':1,'b':2}", "{'a':1,'b':2,'c':3}", true)]
    [InlineData("{'a':1,'b':3}", "{'a':1,'b':2}", false)]
    [InlineData("{'a':1}", "{'b':1}", false)]
    [InlineData("{'a':1}", "{'a':1.0}", true)]
    [InlineData("{'a':100}", "{'a':1e2}", true)]
    [InlineData("{'a':0.1}", "{'a':0.10}", true)]
    [InlineData("{'a':100}", "{'a':1E+2}", true)]
    [InlineData("{'a':0}", "{'a':-0.0}", true)]
    [InlineData("{'a':1}", "{'a':'1'}", false)]
    [InlineData("{'a':true}", "{'a':1}", false)]
    [InlineData("{'a':'Hall'}", "{'a':'hall'}", false)]
    [InlineData("{'a':null}", "{'a':null}", true)]
    [InlineData("{'a':null}", "{}", false)]
    [InlineData("{'a':null}", "{'a':false}", false)]
    [InlineData("{'a':{'x':1,'y':[1,2]}}", "{'a':{'y':[1,2],'x':1}}", true)]
    [InlineData("{'a':{'x':1}}", "{'a':{'x':1,'y':2}}", false)]
    [InlineData("{'a':[1,2]}", "{'a':[2,1]}", false)]
    [InlineData("{'b':1}", "{'a':{'b':1}}", false)]
    public void FieldsMatchWhenEveryTopLevelOneIsPresentWithAnEqualValue(string pattern, string fields, bool matches) =>
        Assert.Equal(matches, Fields(pattern).Matches(ItemOf(fields: fields)));

    [Theory]
    [InlineData("9007199254740993", "9007199254740992")]
    [InlineData("1e-30", "0")]
    [InlineData("1000000000000000000000000000001", "1e30")]
    public void NumbersThatDifferInValueDoNotMatchHoweverClose(string expected, string actual) =>
        Assert.False(Fields($"{{'a':{expected}}}").Matches(ItemOf(fields: $"{{'a':{actual}}}")));

    [Fact]
    public void NoFieldsOrEmptyFieldsMatchEveryItem()
    {
        Assert.True(new Pattern("*").Matches(ItemOf(fields: "{'a':1}")));
        Assert.True(new Pattern("*", new Dictionary<string, JsonElement>()).Matches(ItemOf(fields: "{'a':1}")));
    }

    [Fact]
    public void FieldsThatAreNotAnObjectMatchNoFieldEquality() =>
        Assert.False(Fields("{'a':1}").MatchesFields(Json.Parse("[1]")));

    [Theory]
    [InlineData(null, "lamp-1", true)]
    [InlineData(null, null, true)]
    [InlineData("lamp-1", "lamp-1", true)]
    [InlineData("lamp-1", "lamp-2", false)]
    [InlineData("lamp-1", null, false)]
    [InlineData("lamp-1", "Lamp-1", false)]
    public void AResponsiblePeerNarrowsThePatternToThatPeersItems(string? pattern, string? responsible, bool matches) =>
        Assert.Equal(matches, new Pattern("*", Responsible: pattern).Matches(ItemOf(responsible: responsible)));

    [Fact]
    public void EveryPartOfThePatternMustMatch()
    {
        var pattern = new Pattern("ect.*", Fields("{'a':1}").Fields, "lamp-1");

        Assert.True(pattern.Matches(ItemOf("ect.Link", "{'a':1}", "lamp-1")));
        Assert.False(pattern.Matches(ItemOf("demo.Link", "{'a':1}", "lamp-1")));
        Assert.False(pattern.Matches(ItemOf("ect.Link", "{'a':2}", "lamp-1")));
        Assert.False(pattern.Matches(ItemOf("ect.Link", "{'a':1}", "lamp-2")));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("ect.*")]
    [InlineData("ect.Link")]
    [InlineData("a type with spaces")]
    public void ATypeOrAPrefixEndingInAStarIsAValidPattern(string type) => new Pattern(type).Validate(ItemLimits.Default);

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("*.Link")]
    [InlineData("ect.*.Link")]
    [InlineData("**")]
    [InlineData("ect.\u0007")]
    public void APatternTypeThatIsBlankHasAStarBeforeItsEndOrAControlCharacterIsRefused(string type) =>
        Assert.Throws<InvalidItemException>(() => new Pattern(type).Validate(ItemLimits.Default));

    [Fact]
    public void APatternTypeIsAtMostTheItemTypesLength()
    {
        new Pattern(new string('t', ItemRules.MaxTypeLength - 1) + "*").Validate(ItemLimits.Default);
        Assert.Throws<InvalidItemException>(() => new Pattern(new string('t', ItemRules.MaxTypeLength) + "*").Validate(ItemLimits.Default));
    }

    [Theory]
    [InlineData("lamp\n1")]
    [InlineData(null)]
    public void APatternsResponsibleIsAPrintablePeerIdOfAtMostItsLength(string? bad)
    {
        new Pattern("*", Responsible: new string('p', 256)).Validate(ItemLimits.Default);
        Assert.Throws<InvalidItemException>(() => new Pattern("*", Responsible: bad ?? new string('p', 257)).Validate(ItemLimits.Default));
    }

    [Fact]
    public void APatternHoldsAtMostTheLimitsFieldEqualities()
    {
        var limits = ItemLimits.Default with { MaxPatternFields = 2 };
        Fields("{'a':1,'b':2}").Validate(limits);

        var refusal = Assert.Throws<LimitReachedException>(() => Fields("{'a':1,'b':2,'c':3}").Validate(limits));
        Assert.Equal(nameof(ItemLimits.MaxPatternFields), refusal.Limit);
    }

    [Theory]
    [InlineData("{'a\\u0001':1}")]
    [InlineData("{'a':'\\u0000'}")]
    [InlineData("{'a':1e999}")]
    public void APatternsFieldNamesAndValuesFollowTheItemRules(string fields) =>
        Assert.Throws<InvalidItemException>(() => Fields(fields).Validate(ItemLimits.Default));
}
