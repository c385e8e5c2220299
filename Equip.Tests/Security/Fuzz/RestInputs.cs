using System.Text;
using CsCheck;
using static Equip.Tests.Security.Fuzz.FuzzJson;
using static Equip.Tests.Security.Fuzz.FuzzShapes;

namespace Equip.Tests.Security.Fuzz;

/// One REST request of the fuzz: what is sent, byte for byte.
internal sealed record RestInput(string Method, string Path, string? ContentType, byte[]? Body, string? IfMatch)
{
    public override string ToString()
    {
        var body = Body is null ? "" : Encoding.UTF8.GetString(Body);
        return $"{Method} {(Path.Length > 300 ? Path[..300] + "…" : Path)} [{ContentType}] If-Match: {IfMatch} body ({Body?.Length ?? 0} bytes): {(body.Length > 600 ? body[..600] + "…" : body)}";
    }
}

/// Requests across the item, event, component, link, constant, installation and key endpoints:
/// bodies shaped like the endpoint's with some values of the wrong type, random JSON, malformed
/// JSON, wrong content types, random query strings and path segments. Requests aimed at the
/// bystanders (items that must survive the fuzz) are invalid by construction.
internal static class RestInputs
{
    private static readonly Gen<string> Reference = Body(
        ("componentRequestId", Id), ("containerId", Quoted), ("component", Quoted), ("property", Quoted));

    private static readonly Gen<string> Strings = Quoted.Array[0, 4].Select(a => "[" + string.Join(",", a) + "]");

    private static readonly Gen<string> Selector = Body(("host", Quoted), ("labels", ObjectOf(Quoted)));

    private static readonly Gen<string> Segment = Gen.Frequency(
        (4, Gen.Guid.Select(g => g.ToString())),
        (3, Gen.Const(Own)),
        (2, Name.Select(Uri.EscapeDataString)),
        (1, Gen.OneOf("%2F", "..", "%00", "%ZZ", "a%2Fb", "%C0%80", "00000000-0000-0000-0000-000000000000", new string('g', 3000))));

    private static readonly Gen<string> QueryValue = Gen.Frequency(
        (3, Text.Where(t => t.Length < 2000).Select(Uri.EscapeDataString)),
        (2, Value.Where(t => t.Length < 2000).Select(Uri.EscapeDataString)),
        (1, Deep(false).Select(Uri.EscapeDataString)),
        (1, Gen.OneOf("%ZZ", "%00", "%", "1e999", "-1", "0", "2147483648", "NaN", "%C0%80", "a&b", "00000000-0000-0000-0000-000000000000")));

    private static readonly Gen<string> Query = Gen.Select(
        Gen.Frequency((3, Gen.OneOf("type", "responsible", "limit", "after")), (3, Name.Select(n => "field." + Uri.EscapeDataString(n))), (1, Name.Select(Uri.EscapeDataString))),
        QueryValue).Array[0, 6].Select(pairs => pairs.Length == 0 ? "" : "?" + string.Join("&", pairs.Select(p => p.Item1 + "=" + p.Item2)));

    private static readonly Gen<string?> ContentType = Gen.Frequency(
        (12, Gen.Const<string?>("application/json")),
        (1, Gen.OneOf<string?>(null, "text/plain", "application/x-www-form-urlencoded", "application/problem+json", "application/json; charset=utf-16",
            "application/json; charset=\"", "multipart/form-data; boundary=x", "application/xml", "*/*")));

    private static readonly Gen<string?> IfMatch = Gen.Frequency(
        (4, Gen.Const((string?)null)),
        (1, Gen.OneOf<string?>("*", "\"1\"", "W/\"2\"", "-1", "abc", "\"99999999999999999999\"", "\"1\", \"2\"", "")));

    /// Endpoints with a body: a method, a path and the properties the endpoint reads.
    private static readonly Gen<(string Method, string Path, Gen<string> Body)> WithBody = Gen.OneOf(
        Gen.Const(("POST", "/api/items", Body(("id", Id), ("type", ItemType), ("fields", AnObject), ("processBound", Bool), ("leaseSeconds", Seconds)))),
        Segment.Select(s => ("PUT", $"/api/items/{s}", Body(("type", ItemType), ("fields", AnObject), ("leaseSeconds", Seconds)))),
        Segment.Select(s => ("POST", $"/api/items/{s}/lease", Body(("leaseSeconds", Seconds)))),
        Gen.Select(Segment, Segment, (c, p) => ("PUT", $"/api/components/{c}/properties/{p}", Body(("value", Value)))),
        Gen.Const(("POST", "/api/component-requests", Body(("capability", Quoted), ("containerId", Quoted), ("selector", Selector), ("initialValues", ObjectOf(Value))))),
        Gen.Const(("POST", "/api/links", Body(("source", Reference), ("destination", Reference)))),
        Gen.Const(("POST", "/api/constants", Body(("destination", Reference), ("value", Value)))),
        Gen.Const(("POST", "/api/installation", Body(
            ("requests", Listed(Body(("id", Id), ("capability", Quoted), ("containerId", Quoted), ("selector", Selector), ("initialValues", ObjectOf(Value))))),
            ("links", Listed(Body(("id", Id), ("source", Reference), ("destination", Reference)))),
            ("constants", Listed(Body(("id", Id), ("destination", Reference), ("value", Value))))))),
        Gen.Const(("POST", "/api/keys", Body(("name", Quoted), ("containerIds", Strings), ("peerIds", Strings)))));

    private static readonly Gen<(string Method, string Path)> WithoutBody = Gen.OneOf(
        Query.Select(q => ("GET", "/api/items" + q)),
        Segment.Select(s => ("GET", $"/api/items/{s}")),
        Gen.Select(Segment, Query, (s, q) => ("DELETE", $"/api/items/{s}{q}")),
        Query.Select(q => ("GET", "/api/events" + q)),
        Gen.OneOf("/api/peers", "/api/containers", "/api/capabilities", "/api/components", "/api/component-requests", "/api/links", "/api/constants", "/api/installation", "/api/keys", "/health")
            .Select(p => ("GET", p)),
        Gen.Select(Gen.OneOf("components", "component-requests", "links"), Segment, (k, s) => ("GET", $"/api/{k}/{s}")),
        Gen.Select(Gen.OneOf("component-requests", "links", "constants", "keys"), Segment, (k, s) => ("DELETE", $"/api/{k}/{s}")),
        Gen.Select(Gen.OneOf("PATCH", "PUT", "DELETE", "OPTIONS"), Gen.OneOf("/api/items", "/api/events", "/api/keys", "/api/installation"), (m, p) => (m, p)));

    private static readonly Gen<byte[]> AnyBody = Gen.Frequency(
        (2, Value.Select(Bytes)),
        (3, Malformed),
        (1, Gen.Int[1_048_577, 1_200_000].Select(n => Bytes("{\"fields\":{\"big\":\"" + new string('b', n) + "\"}}"))));

    public static readonly Gen<RestInput> Any = Gen.Frequency(
        (6, Gen.Select(WithBody, ContentType, IfMatch, Gen.Int[0, 9]).SelectMany(r => (r.Item4 < 7 ? r.Item1.Body.Select(Bytes) : AnyBody)
            .Select(body => new RestInput(r.Item1.Method, r.Item1.Path, r.Item2, body, r.Item3)))),
        (3, Gen.Select(WithoutBody, IfMatch, (r, ifMatch) => new RestInput(r.Method, r.Path, null, null, ifMatch))));

    /// Requests that name a bystander yet cannot change it: malformed bodies and wrong content
    /// types for its update and re-add, deletes that expect another revision.
    public static Gen<RestInput> AgainstBystander(IReadOnlyList<Guid> ids) => Gen.Frequency(
        (3, Gen.Select(Gen.OneOf([.. ids]), Malformed, (id, body) => new RestInput("PUT", $"/api/items/{id}", "application/json", body, null))),
        (1, Gen.Select(Gen.OneOf([.. ids]), AnObject, (id, fields) => new RestInput("PUT", $"/api/items/{id}", "text/plain", Bytes($"{{\"fields\":{fields}}}"), null))),
        (1, Gen.Select(Gen.OneOf([.. ids]), Scalar, (id, fields) => new RestInput("PUT", $"/api/items/{id}", "application/json", Bytes($"{{\"fields\":{fields}}}"), null))),
        (1, Gen.Select(Gen.OneOf([.. ids]), Gen.OneOf("\"999999999\"", "W/\"x\"", "1.5", "\"-3\""), (id, ifMatch) => new RestInput("DELETE", $"/api/items/{id}", null, null, ifMatch))),
        (1, Gen.Select(Gen.OneOf([.. ids]), Deep(true), (id, fields) => new RestInput("POST", "/api/items", "application/json",
            Bytes($"{{\"id\":\"{id}\",\"type\":\"demo.Bystander\",\"fields\":{{\"deep\":{fields.Replace("1", "[" + new string('[', 40) + new string(']', 40) + "]", StringComparison.Ordinal)}}}}}"), null))));
}
