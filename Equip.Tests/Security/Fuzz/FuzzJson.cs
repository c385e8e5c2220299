using System.Globalization;
using System.Text;
using CsCheck;

namespace Equip.Tests.Security.Fuzz;

/// Generators of JSON text, well-formed (random shapes, deep nesting, the strings and numbers that
/// break servers: NUL, control characters, unpaired surrogates, numbers beyond a double, long
/// text) and malformed (truncated, garbage, not UTF-8). Written by hand rather than through a JSON
/// writer, which would refuse to write some of them.
internal static class FuzzJson
{
    private static readonly string[] Awkward =
    [
        "", " ", "\0", "a\0b", "\u0001", "\t", "\n", "\u007f", "\u200b", "\u202e", "\ud800", "\udfff", "x\ud800y", "😀", "*", "demo.*",
        "null", "true", "{}", "[]", "'", "\"", "\\", "%00", "../..", "<script>", "ect.Link", "ect.Constant", "ect.ComponentRequest",
        "ect.Container", "ect.Capability", "ect.Component", "ect.Property", "Slider", "value", "NaN", "Infinity", "00000000-0000-0000-0000-000000000000",
    ];

    private static readonly Gen<char> Alnum = Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"];

    /// Text of any sort: mostly short and plain, sometimes awkward, sometimes very long.
    public static readonly Gen<string> Text = Gen.Frequency(
        (24, Gen.String[Alnum, 0, 12]),
        (8, Gen.String[Gen.Char, 0, 16]),
        (8, Gen.OneOf(Awkward)),
        (4, Gen.Select(Gen.Int[200, 400], Alnum, (n, c) => new string(c, n))),
        (1, Gen.Select(Gen.Int[1_000, 300_000], Alnum, (n, c) => new string(c, n))));

    /// Property names: short mostly, sometimes awkward or longer than the name limit.
    public static readonly Gen<string> Name = Gen.Frequency(
        (8, Gen.String[Alnum, 1, 8]),
        (2, Gen.OneOf(Awkward)),
        (1, Gen.Int[250, 300].Select(n => new string('n', n))));

    public static readonly Gen<string> Number = Gen.Frequency(
        (3, Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (2, Gen.Long.Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (2, Gen.Double.Where(double.IsFinite).Select(d => d.ToString("R", CultureInfo.InvariantCulture))),
        (2, Gen.OneOf("0", "-0", "1e999", "-1e999", "1E400", "1e-999", "123456789012345678901234567890", "1.7976931348623157e308",
            "0.1", "-1", "2147483648", "9223372036854775808", "18446744073709551616", "1e2", "3.0")));

    public static readonly Gen<string> Scalar = Gen.Frequency(
        (1, Gen.OneOf("null", "true", "false")),
        (3, Number),
        (3, Text.Select(Quote)));

    /// A well-formed JSON value of up to four levels.
    public static readonly Gen<string> Value = ValueOf(4);

    /// An object with very many properties or values (past the node limit, sometimes).
    public static readonly Gen<string> Wide = Gen.Select(Gen.Int[100, 20_000], Gen.Bool, (count, flat) => flat
        ? "{" + string.Join(",", Enumerable.Range(0, count).Select(i => $"\"p{i}\":{i}")) + "}"
        : "{\"list\":[" + string.Join(",", Enumerable.Range(0, count)) + "]}");

    /// A well-formed JSON object (an item's fields, say).
    public static readonly Gen<string> AnObject = Gen.Frequency(
        (16, ObjectOf(Gen.Frequency((3, Scalar), (1, ValueOf(2))))),
        (2, Deep(true)),
        (1, Wide));

    /// Arrays or objects nested 10 to 80 levels deep.
    public static Gen<string> Deep(bool objectOutside) => Gen.Select(Gen.Int[10, 80], Gen.Bool, (depth, arrays) =>
    {
        var text = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            text.Append(arrays && !(objectOutside && i == 0) ? "[" : "{\"d\":");
        }
        text.Append('1');
        for (var i = depth - 1; i >= 0; i--)
        {
            text.Append(arrays && !(objectOutside && i == 0) ? "]" : "}");
        }
        return text.ToString();
    });

    /// Text that is not one JSON value: cut short, garbage, comments, trailing commas, bytes that
    /// are not UTF-8. None is an object that parses.
    public static readonly Gen<byte[]> Malformed = Gen.Frequency(
        (3, Gen.Select(AnObject, Gen.Double[0, 1], (text, cut) => Bytes(text[..(int)(text.Length * cut * 0.999)]))),
        (1, Gen.Byte.Array[1, 64].Select(b => b[0] == (byte)'{' ? [(byte)'x', .. b] : b)),
        (1, Gen.OneOf("{'a':1}", "{\"a\":1,}", "{\"a\":1}/*c*/x", "{a:1}", "{\"a\" 1}", "{\"a\":01}", "{\"a\":NaN}", "{\"a\":Infinity}",
            "{\"a\":\"\\x\"}", "{\"a\":\"\u0001\"}", "{\"a\":1}{\"b\":2}", "{\"fields\":{}", "\uFEFF{", "").Select(Bytes)),
        (1, Gen.OneOf<byte[]>([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D], [0x7B, 0x22, 0xC0, 0x80, 0x22, 0x3A, 0x31, 0x7D],
            [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22], [0xEF, 0xBB, 0xBF, 0x7B])));

    public static Gen<string> ObjectOf(Gen<string> values) =>
        Gen.Select(Name, values).Array[0, 5].Select(properties => "{" + string.Join(",", properties.Select(p => Quote(p.Item1) + ":" + p.Item2)) + "}");

    /// A JSON string literal of any text, unpaired surrogates and control characters escaped.
    public static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                quoted.Append('\\').Append(c);
            }
            else if (c < 0x20 || char.IsSurrogate(c))
            {
                quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                quoted.Append(c);
            }
        }
        return quoted.Append('"').ToString();
    }

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static Gen<string> ValueOf(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency(
            (4, Scalar),
            (1, ValueOf(depth - 1).Array[0, 4].Select(values => "[" + string.Join(",", values) + "]")),
            (2, ObjectOf(ValueOf(depth - 1))));
}
