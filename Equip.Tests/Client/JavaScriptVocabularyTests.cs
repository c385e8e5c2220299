using System.Reflection;
using System.Text.RegularExpressions;
using Equip.Protocol;

namespace Equip.Tests.Client;

/// The JavaScript client spells the protocol's names in three frozen tables (HubNames and
/// EctTypes in wire.js, HubErrors in errors.js); each must hold exactly the strings of its
/// Equip.Protocol counterpart, so that a name added or changed on one side fails here.
public partial class JavaScriptVocabularyTests
{
    [Theory]
    [InlineData(typeof(HubNames), "wire.js", "HubNames")]
    [InlineData(typeof(HubErrors), "errors.js", "HubErrors")]
    [InlineData(typeof(Ect), "wire.js", "EctTypes")]
    public void EachFrozenTableHoldsExactlyTheProtocolsStrings(Type protocol, string file, string table)
    {
        var expected = protocol.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(v => protocol != typeof(Ect) || v.StartsWith("ect.", StringComparison.Ordinal) && v != "ect.")
            .Order(StringComparer.Ordinal)
            .ToList();
        var source = File.ReadAllText(Path.Combine(RepositoryRoot(), "Equip.Client.Js", "src", file));
        var block = Regex.Match(source, $@"export const {table} = Object\.freeze\(\{{(?<body>.*?)\n\}}\);", RegexOptions.Singleline);
        Assert.True(block.Success, $"{file} has no frozen {table} table");
        var body = Regex.Replace(block.Groups["body"].Value, @"/\*.*?\*/|//[^\n]*", "", RegexOptions.Singleline);
        var actual = Entry().Matches(body).Select(m => m.Groups["value"].Value).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    [GeneratedRegex(@"\w+:\s*'(?<value>[^']*)'")]
    private static partial Regex Entry();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Equip.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Equip.sln not found above the test's directory.");
    }
}
