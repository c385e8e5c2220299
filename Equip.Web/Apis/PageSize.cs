namespace Equip.Web.Apis;

internal static class PageSize
{
    public static int Check(int? limit, LimitOptions limits) => limit switch
    {
        null => Math.Min(limits.DefaultPageSize, limits.MaxPageSize),
        < 1 => throw new BadHttpRequestException("limit must be at least 1."),
        { } l when l > limits.MaxPageSize => throw new BadHttpRequestException($"limit must be at most {limits.MaxPageSize} (Equip:Limits:MaxPageSize)."),
        { } l => l,
    };
}
