using System.Globalization;
using CsCheck;
using Equip.Protocol;
using static Equip.Tests.Security.Fuzz.FuzzJson;
using static Equip.Tests.Security.Fuzz.FuzzShapes;

namespace Equip.Tests.Security.Fuzz;

/// One hub invocation of the fuzz: its target and its arguments as JSON text, sent over the JSON
/// protocol or (converted) over MessagePack, on a registered connection or a fresh one.
internal sealed record HubInput(string Target, string[] Arguments, bool MessagePack, bool Fresh)
{
    public override string ToString()
    {
        var arguments = string.Join(", ", Arguments);
        return $"{Target}({(arguments.Length > 600 ? arguments[..600] + "…" : arguments)}) over {(MessagePack ? "MessagePack" : "JSON")}{(Fresh ? " before Register" : "")}";
    }
}

/// Argument sets for every hub method: shaped like the method's request with values of the wrong
/// kind now and then, nulls, arguments too many or too few, unknown methods. Ids are random or
/// the bystanders' (which the fuzzing peers may not change: each call on one is refused).
internal static class HubInputs
{
    public static Gen<HubInput> Any(IReadOnlyList<Guid> bystanders)
    {
        var id = Gen.Frequency((3, Id), (1, Gen.OneOf([.. bystanders]).Select(b => Quote(b.ToString()))));
        var pattern = Body(("type", Gen.Frequency((3, Gen.OneOf("*", "demo.*", "demo.fuzz.a", "ect.*", "demo.Bystander").Select(Quote)), (1, ItemType))),
            ("fields", ObjectOf(Value)), ("responsible", Quoted));
        var reasserted = Body(("id", id), ("type", ItemType), ("fields", AnObject), ("processBound", Bool), ("leaseSeconds", Seconds), ("knownRevision", Revision));
        var methods = Gen.OneOf<(string, Gen<string>[])>(
            (HubNames.Register, [Body(("peerId", Quoted), ("incarnation", Quoted), ("name", Quoted), ("lastRevision", Revision))]),
            (HubNames.Add, [Body(("id", id), ("type", ItemType), ("fields", AnObject), ("processBound", Bool), ("leaseSeconds", Seconds))]),
            (HubNames.Update, [Body(("id", id), ("type", ItemType), ("fields", AnObject), ("expectedRevision", Revision), ("leaseSeconds", Seconds), ("unreliable", Bool))]),
            (HubNames.Delete, [Body(("id", id), ("expectedRevision", Revision))]),
            (HubNames.RenewLease, [Body(("id", id), ("leaseSeconds", Seconds))]),
            (HubNames.Get, [id]),
            (HubNames.Query, [Body(("pattern", pattern), ("after", Id), ("limit", Gen.Frequency((3, Gen.Int[1, 100].Select(i => i.ToString(CultureInfo.InvariantCulture))), (1, Scalar))))]),
            (HubNames.Subscribe, [Body(("subscriptionId", Quoted), ("pattern", pattern), ("fromRevision", Revision))]),
            (HubNames.Unsubscribe, [Quoted]),
            (HubNames.Reassert, [Gen.Frequency((30, Listed(reasserted)), (1, ManyReasserted))]),
            (HubNames.SyncComplete, []));
        var call = methods.SelectMany(m => Arguments(m.Item2).Select(arguments => (m.Item1, arguments)));
        var unknown = Gen.Select(Gen.OneOf("Nope", "", "register", "OnConnectedAsync", "Dispose", "ReplayAsync"), Value.Array[0, 2], (t, a) => (t, a));
        return Gen.Select(Gen.Frequency((30, call), (1, unknown)), Gen.Int[0, 2], Gen.Int[0, 9], (c, format, fresh) =>
            new HubInput(c.Item1, c.Item2, format == 0, fresh == 0 || (c.Item1 == HubNames.Register && fresh < 5)));
    }

    /// The method's arguments mostly; sometimes one too many or too few, a null, or random values.
    private static Gen<string[]> Arguments(Gen<string>[] parameters)
    {
        var right = parameters.Aggregate(Gen.Const(Array.Empty<string>()), (all, p) => all.SelectMany(a => p.Select(v => (string[])[.. a, v])));
        return Gen.Frequency(
            (16, right),
            (1, Gen.Select(right, Value, (a, extra) => (string[])[.. a, extra])),
            (1, right.Select(a => a.Length == 0 ? ["null"] : a[..^1])),
            (1, right.Select(a => a.Select(_ => "null").ToArray())),
            (2, Value.Array[0, 3]));
    }

    /// One item past the default limit of a Reassert call.
    private static readonly Gen<string> ManyReasserted = Gen.Const(
        "[" + string.Join(",", Enumerable.Range(0, 10_001).Select(i => $"{{\"id\":\"00000000-0000-0000-0000-{i:x12}\",\"type\":\"demo.fuzz.r\",\"fields\":{{}}}}")) + "]");
}
