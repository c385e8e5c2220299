using System.Globalization;
using System.Text.Json;

namespace Equip.Web.Dashboard.Shared;

/// How values, times and durations read on screen.
public static class Format
{
    public static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined => "—",
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Number => value.TryGetInt64(out var whole) ? whole.ToString(CultureInfo.InvariantCulture) : value.GetDouble().ToString("0.###", CultureInfo.InvariantCulture),
        _ => value.GetRawText(),
    };

    public static string Value(JsonElement? value) => value is { } v ? Value(v) : "—";

    public static string Short(JsonElement value, int length = 40)
    {
        var text = Value(value);
        return text.Length <= length ? text : text[..(length - 1)] + "…";
    }

    public static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static string DateTime(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    public static string Duration(TimeSpan span) => span.TotalSeconds switch
    {
        < 0 => "0 ms",
        < 1 => $"{span.TotalMilliseconds:0} ms",
        < 60 => $"{span.TotalSeconds:0.0} s",
        < 3600 => $"{(int)span.TotalMinutes} min {span.Seconds} s",
        _ => $"{(int)span.TotalHours} h {span.Minutes} min",
    };

    public static string Age(DateTimeOffset? at, DateTimeOffset now) => at is { } t ? Duration(now - t) + " ago" : "never";

    public static string Kind(string kind) => kind switch
    {
        "sourceMissing" => "source missing",
        "destinationOffline" => "destination offline",
        "typeMismatch" => "type mismatch",
        _ => kind,
    };
}
