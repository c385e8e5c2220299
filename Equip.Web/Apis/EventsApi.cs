using System.Text.Json.Serialization;
using Equip.Domain.Dataspace;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Equip.Web.Apis;

public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events", ReadEvents).WithTags("Events").ProducesProblem(400).ProducesProblem(410);
        return app;
    }

    /// <summary>
    /// Events with a revision above after, in revision order, with the crash gaps in their span.
    /// 410 when some of them were pruned: the problem's oldestRetainedRevision says where the log
    /// starts; resynchronise from /api/items.
    /// </summary>
    /// <param name="after">The last revision the reader has: events after it are answered (0: from the start).</param>
    /// <param name="limit">Page size: 1 to Equip:Limits:MaxPageSize (1000); default DefaultPageSize (100).</param>
    public static async Task<Ok<EventsPage>> ReadEvents(
        IDataspace dataspace, IOptions<LimitOptions> limits, CancellationToken cancellationToken, long after = 0, int? limit = null)
    {
        if (after < 0)
        {
            throw new BadHttpRequestException("after must be a revision, 0 or more.");
        }
        var page = await dataspace.ReadChangesAsync(after, PageSize.Check(limit, limits.Value), cancellationToken);
        return TypedResults.Ok(new EventsPage(page.Events.Select(EventResponse.From).ToList(), page.CurrentRevision,
            [.. page.Gaps.Select(g => new RevisionGapResponse(g.After, g.Through))]));
    }
}

/// A page of events. Gaps lists the revision ranges within the page's span that a server crash
/// skipped (changes written behind in them may be lost): revisions that jump across one are not
/// events missed for another reason.
public sealed record EventsPage(IReadOnlyList<EventResponse> Events, long CurrentRevision, IReadOnlyList<RevisionGapResponse> Gaps);

/// Revisions after After, through Through, were skipped by a crash.
public sealed record RevisionGapResponse(long After, long Through);

public sealed record EventResponse(
    long Revision,
    ChangeKind Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DeleteReason? Reason,
    ItemState Item)
{
    public static EventResponse From(ChangeEvent change) => new(change.Revision, change.Kind, change.Reason, change.Item);
}
