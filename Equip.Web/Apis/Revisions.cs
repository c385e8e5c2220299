using Microsoft.Net.Http.Headers;

namespace Equip.Web.Apis;

/// An item's revision is its entity tag: ETag "R" on reads and writes, If-Match: R (quoted or not)
/// on writes; If-Match: * asks only that the item exists, which every write to an id does anyway.
internal static class Revisions
{
    public static string ToETag(long revision) => $"\"{revision}\"";

    public static long? FromIfMatch(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.IfMatch].ToString().Trim();
        if (header.Length == 0 || header == "*")
        {
            return null;
        }
        var value = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        return long.TryParse(value.Trim('"'), out var revision) && revision >= 0
            ? revision
            : throw new BadHttpRequestException($"If-Match must hold one item revision, such as \"42\"; got '{header}'.");
    }
}
