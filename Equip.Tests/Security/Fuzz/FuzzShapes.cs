using System.Globalization;
using CsCheck;
using static Equip.Tests.Security.Fuzz.FuzzJson;

namespace Equip.Tests.Security.Fuzz;

/// The pieces REST bodies and hub arguments are made of: objects with an endpoint's properties,
/// ids, item types, lists.
internal static class FuzzShapes
{
    /// Stands for the id of an item the fuzz made itself (FuzzRun.Own fills it in when sending).
    public const string Own = "@own";

    public static readonly Gen<string> Id = Gen.Frequency(
        (5, Gen.Guid.Select(g => Quote(g.ToString()))),
        (3, Gen.Const(Quote(Own))),
        (1, Text.Select(Quote)),
        (1, Scalar));

    public static readonly Gen<string> ItemType = Gen.Frequency(
        (4, Gen.String[Gen.Char["abcxyz"], 1, 6].Select(t => Quote("demo.fuzz." + t))),
        (1, Gen.OneOf("ect.Link", "ect.Constant", "ect.ComponentRequest", "ect.Container", "ect.Capability", "ect.Property").Select(Quote)),
        (2, Text.Select(Quote)));

    public static readonly Gen<string> Bool = Gen.OneOf("true", "false");

    /// A lease in seconds: valid mostly, any number now and then.
    public static readonly Gen<string> Seconds = Gen.Frequency(
        (4, Gen.Double[0.5, 100_000].Select(d => d.ToString("R", CultureInfo.InvariantCulture))),
        (1, Number));

    /// A revision: small mostly, any number now and then.
    public static readonly Gen<string> Revision = Gen.Frequency(
        (4, Gen.Long[0, 200].Select(r => r.ToString(CultureInfo.InvariantCulture))),
        (1, Number));

    /// A string of text, quoted.
    public static readonly Gen<string> Quoted = Text.Select(Quote);

    /// An object holding each property or not; a property's value is of the right kind mostly,
    /// and now and then any JSON value at all; now and then a property the endpoint does not know.
    public static Gen<string> Body(params (string Name, Gen<string> Value)[] properties)
    {
        var parts = properties.Select(p => Gen.Frequency(
            (1, Gen.Const("")),
            (12, p.Value.Select(v => Quote(p.Name) + ":" + v)),
            (1, Value.Select(v => Quote(p.Name) + ":" + v))));
        var extra = Gen.Frequency((10, Gen.Const("")), (1, Gen.Select(Name, Value, (n, v) => Quote(n) + ":" + v)));
        return parts.Append(extra).Aggregate(Gen.Const(Array.Empty<string>()), (all, part) => all.SelectMany(a => part.Select(p => (string[])[.. a, p])))
            .Select(all => "{" + string.Join(",", all.Where(p => p.Length > 0)) + "}");
    }

    public static Gen<string> Listed(Gen<string> entry) => Gen.Frequency(
        (4, entry.Array[0, 3].Select(e => "[" + string.Join(",", e) + "]")),
        (1, Gen.Const("[null]")),
        (1, Scalar));
}
