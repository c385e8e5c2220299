using System.ComponentModel.DataAnnotations;

namespace Equip.Web;

public sealed class LimitOptions
{
    public const string Section = "Equip:Limits";

    /// Larger request bodies are refused with 413.
    [Range(1024, long.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// The largest page a list endpoint returns; larger limits are refused with 400.
    [Range(1, 100_000)]
    public int MaxPageSize { get; set; } = 1000;

    /// The page size of a list endpoint called without limit (capped by MaxPageSize).
    [Range(1, 100_000)]
    public int DefaultPageSize { get; set; } = 100;
}
