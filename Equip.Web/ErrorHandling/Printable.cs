using System.Globalization;
using System.Text;

namespace Equip.Web.ErrorHandling;

/// Text a client chose (a path, a method name, words that quote its input), made safe to log: a
/// control character (an escape sequence for the operator's terminal, a line break that forges a
/// log line) is written as its \uXXXX escape, and very long text is cut.
internal static class Printable
{
    private const int MaxLength = 1000;

    public static string Of(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var shown = text.Length > MaxLength ? text[..MaxLength] : text;
        if (!shown.Any(char.IsControl))
        {
            return shown.Length < text.Length ? shown + "…" : shown;
        }
        var escaped = new StringBuilder(shown.Length + 16);
        foreach (var c in shown)
        {
            if (char.IsControl(c))
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                escaped.Append(c);
            }
        }
        return shown.Length < text.Length ? escaped.Append('…').ToString() : escaped.ToString();
    }
}
