using System.Text;
using System.Text.Json;
using Equip.Domain.Dataspace;

namespace Equip.Tests.Domain;

public sealed class JsonRulesTests
{
    private static void Fields(string json, ItemLimits? limits = null) => JsonRules.ValidateFields(Json.Quoted(json), limits ?? ItemLimits.Default);

    private static string Nested(int levels) => string.Concat(Enumerable.Repeat("{'a':", levels - 1)) + "{}" + new string('}', levels - 1);

    [Theory]
    [InlineData("[]")]
    [InlineData("'text'")]
    [InlineData("1")]
    [InlineData("null")]
    [InlineData("true")]
    public void FieldsThatAreNotAnObjectAreRefused(string json) =>
        Assert.Throws<InvalidItemException>(() => Fields(json));

    [Fact]
    public void MissingFieldsAreRefused() =>
        Assert.Throws<InvalidItemException>(() => JsonRules.ValidateFields(default, ItemLimits.Default));

    [Fact]
    public void FieldsNestAsDeepAsTheLimitCountingTheFieldsObjectAndNoDeeper()
    {
        var limits = ItemLimits.Default with { MaxFieldsDepth = 4 };
        Fields(Nested(4), limits);
        Fields("{'a':[[{'b':1}]]}", limits);

        var refusal = Assert.Throws<LimitReachedException>(() => Fields(Nested(5), limits));
        Assert.Equal(nameof(ItemLimits.MaxFieldsDepth), refusal.Limit);
        Assert.Throws<LimitReachedException>(() => Fields("{'a':[[[[]]]]}", limits));
    }

    [Fact]
    public void TheDefaultDepthIsThirtyTwoLevels()
    {
        Fields(Nested(32));
        Assert.Throws<LimitReachedException>(() => Fields(Nested(33)));
    }

    [Fact]
    public void EveryValueCountsTowardsTheNodeLimitTheFieldsObjectIncluded()
    {
        var limits = ItemLimits.Default with { MaxFieldsNodes = 6 };
        Fields("{'a':[1,'x',null],'b':true}", limits);

        var refusal = Assert.Throws<LimitReachedException>(() => Fields("{'a':[1,'x',null],'b':true,'c':false}", limits));
        Assert.Equal(nameof(ItemLimits.MaxFieldsNodes), refusal.Limit);
    }

    [Fact]
    public void FieldsAreAtMostTheLimitsBytesAsWritten()
    {
        const string json = "{\"a\":\"é\"}";
        var bytes = Encoding.UTF8.GetByteCount(json);
        JsonRules.ValidateFields(Json.Parse(json), ItemLimits.Default with { MaxFieldsBytes = bytes });

        var refusal = Assert.Throws<LimitReachedException>(() =>
            JsonRules.ValidateFields(Json.Parse(json), ItemLimits.Default with { MaxFieldsBytes = bytes - 1 }));
        Assert.Equal(nameof(ItemLimits.MaxFieldsBytes), refusal.Limit);
    }

    [Fact]
    public void AFieldNameAnywhereIsAtMostTheLimitsLength()
    {
        var limits = ItemLimits.Default with { MaxFieldNameLength = 3 };
        Fields("{'abc':{'def':1}}", limits);

        Assert.Equal(nameof(ItemLimits.MaxFieldNameLength), Assert.Throws<LimitReachedException>(() => Fields("{'abcd':1}", limits)).Limit);
        Assert.Throws<LimitReachedException>(() => Fields("{'a':[{'defg':1}]}", limits));
    }

    [Theory]
    [InlineData("{'a\\u0000':1}")]
    [InlineData("{'a\\n':1}")]
    [InlineData("{'x':{'\\u001b[31m':1}}")]
    [InlineData("{'\\u007f':1}")]
    public void AFieldNameWithAControlCharacterIsRefused(string json) =>
        Assert.Throws<InvalidItemException>(() => Fields(json));

    [Fact]
    public void AStringValueMayHoldControlCharactersButNotNul()
    {
        Fields("{'a':'line\\nbreak\\ttab\\u001b'}");
        Assert.Throws<InvalidItemException>(() => Fields("{'a':'nul\\u0000'}"));
        Assert.Throws<InvalidItemException>(() => Fields("{'a':[['\\u0000']]}"));
    }

    [Theory]
    [InlineData("{'a':'\\ud800'}")]
    [InlineData("{'a':'\\udc00x'}")]
    [InlineData("{'a':['\\ud83d']}")]
    public void AnUnpairedSurrogateInAStringIsRefused(string json) =>
        Assert.Throws<InvalidItemException>(() => Fields(json));

    [Theory]
    [InlineData("{'\\ud800':1}")]
    [InlineData("{'a':{'b\\udfff':1}}")]
    public void AnUnpairedSurrogateInAFieldNameIsRefused(string json) =>
        Assert.Throws<InvalidItemException>(() => Fields(json));

    [Fact]
    public void APairedSurrogateIsAccepted() => Fields("{'\\ud83d\\ude00':'\\ud83d\\ude00'}");

    [Theory]
    [InlineData("{'a':1,'a':2}")]
    [InlineData("{'a':1,'\\u0061':2}")]
    [InlineData("{'x':[{'b':1,'b':1}]}")]
    public void AnObjectWithTwoPropertiesOfOneNameIsRefused(string json) =>
        Assert.Throws<InvalidItemException>(() => Fields(json));

    [Fact]
    public void NamesThatDifferOnlyInCaseOrInDifferentObjectsAreDistinct() =>
        Fields("{'a':{'a':1},'A':{'a':2}}");

    [Theory]
    [InlineData("{'n':1e999}")]
    [InlineData("{'n':-1e999}")]
    [InlineData("{'n':[1e400]}")]
    public void ANumberBeyondADoubleIsRefused(string json) =>
        Assert.Throws<InvalidItemException>(() => Fields(json));

    [Fact]
    public void NumbersWithinADoubleAreAccepted() => Fields("{'a':1.7976931348623157e308,'b':-5e-324,'c':123456789012345678901234567890}");

    [Fact]
    public void PatternValuesAreCountedTogetherAgainstTheNodeLimit()
    {
        var limits = ItemLimits.Default with { MaxFieldsNodes = 3 };
        JsonRules.ValidateValues([Json.Parse("[1]"), Json.Parse("2")], limits, "the pattern");

        var refusal = Assert.Throws<LimitReachedException>(() => JsonRules.ValidateValues([Json.Parse("[1]"), Json.Parse("[2]")], limits, "the pattern"));
        Assert.Equal(nameof(ItemLimits.MaxFieldsNodes), refusal.Limit);
    }

    [Fact]
    public void PatternValuesAreCountedTogetherAgainstTheByteLimit()
    {
        var limits = ItemLimits.Default with { MaxFieldsBytes = 5 };
        JsonRules.ValidateValues([Json.Parse("\"abc\"")], limits, "the pattern");

        var refusal = Assert.Throws<LimitReachedException>(() => JsonRules.ValidateValues([Json.Parse("\"abc\""), Json.Parse("1")], limits, "the pattern"));
        Assert.Equal(nameof(ItemLimits.MaxFieldsBytes), refusal.Limit);
    }

    [Fact]
    public void PatternValuesFollowTheItemRules()
    {
        JsonRules.ValidateValues([Json.Parse("null"), Json.Parse("\"x\"")], ItemLimits.Default, "the pattern");
        Assert.Throws<InvalidItemException>(() => JsonRules.ValidateValues([default(JsonElement)], ItemLimits.Default, "the pattern"));
        Assert.Throws<InvalidItemException>(() => JsonRules.ValidateValues([Json.Quoted("'\\ud800'")], ItemLimits.Default, "the pattern"));
        Assert.Throws<InvalidItemException>(() => JsonRules.ValidateValues([Json.Quoted("{'a':1,'a':1}")], ItemLimits.Default, "the pattern"));
        Assert.Throws<InvalidItemException>(() => JsonRules.ValidateValues([Json.Parse("1e999")], ItemLimits.Default, "the pattern"));
    }
}
