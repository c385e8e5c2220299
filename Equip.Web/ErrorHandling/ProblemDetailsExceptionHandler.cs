using Equip.Domain.Dataspace;
using Equip.Infrastructure.Dataspace;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Equip.Web.ErrorHandling;

/// Turns refusals into RFC 7807 problem details, and logs each as the client's mistake (a warning);
/// anything else stays a 500 for the default handler, which logs it as the server's failure.
internal sealed partial class ProblemDetailsExceptionHandler(IProblemDetailsService problems, ILogger<ProblemDetailsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, TitleOf(bad.StatusCode)),
            _ when Refusals.Of(exception) is { } refusal => (refusal.Status, refusal.Title),
            _ => (0, ""),
        };
        if (status == 0)
        {
            return false;
        }
        var problem = new ProblemDetails { Status = status, Title = title, Detail = DetailOf(exception) };
        if (status < StatusCodes.Status500InternalServerError)
        {
            Refused(logger, context.Request.Method, Printable.Of(context.Request.Path.Value), status, Printable.Of(problem.Detail));
        }
        switch (exception)
        {
            case ChangeLogCompactedException compacted:
                problem.Extensions["oldestRetainedRevision"] = compacted.OldestRetainedRevision;
                break;
            case RevisionMismatchException mismatch:
                problem.Extensions["currentRevision"] = mismatch.Actual;
                break;
            case LimitReachedException limit:
                problem.Extensions["limit"] = $"{ItemLimitOptions.Section}:{limit.Limit}";
                break;
        }
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static string TitleOf(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Request body too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        _ => "Bad request",
    };

    // The framework's messages for unreadable JSON name the problem; its inner exception says where.
    private static string DetailOf(Exception exception) => exception is BadHttpRequestException { InnerException: { } inner }
        ? $"{exception.Message} {inner.Message}"
        : exception.Message;

    [LoggerMessage(1, LogLevel.Warning, "Refused {Method} {Path} ({Status}): {Reason}", EventName = "RequestRefused")]
    private static partial void Refused(ILogger logger, string method, string path, int status, string reason);
}
