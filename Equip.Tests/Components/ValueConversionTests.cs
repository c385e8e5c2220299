using System.Text.Json;
using Equip.Protocol;

namespace Equip.Tests.Components;

/// The type-level rule the dashboard offers link destinations by must agree with the value-level
/// conversion the link engine applies.
public sealed class ValueConversionTests
{
    private static readonly Dictionary<string, string[]> Samples = new()
    {
        ["string"] = ["\"hello\"", "\"0.75\"", "\"42\"", "\"true\"", "\"\""],
        ["number"] = ["0.75", "42", "-1e10", "0"],
        ["integer"] = ["42", "-7", "0"],
        ["boolean"] = ["true", "false"],
        ["json"] = ["{\"a\":1}", "[1,2]", "null", "\"text\""],
    };

    public static TheoryData<string, string> Pairs()
    {
        var pairs = new TheoryData<string, string>();
        foreach (var source in Ect.ValueTypes)
        {
            foreach (var destination in Ect.ValueTypes)
            {
                pairs.Add(source, destination);
            }
        }
        return pairs;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void APairThatAlwaysConvertsConvertsEverySampleAndAnyOtherPairRefusesOne(string source, string destination)
    {
        var converts = Samples[source].Select(s => EctValues.TryConvert(JsonDocument.Parse(s).RootElement, destination, out _)).ToList();

        if (EctValues.AlwaysConverts(source, destination))
        {
            Assert.All(converts, Assert.True);
        }
        else
        {
            Assert.Contains(false, converts);
        }
    }
}
