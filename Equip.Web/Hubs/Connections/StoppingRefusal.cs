using Equip.Protocol;

namespace Equip.Web.Hubs.Connections;

/// Once the server is stopping, the hub takes no new connection: a device that was sent Close
/// (`stopping`) and came straight back would otherwise be let in again, and the shutdown would
/// wait for that connection until the host's timeout. It is answered 503 with a problem whose
/// detail starts with `stopping`, so that it retries (at its short pace for a server that is
/// restarting) and finds the next instance.
internal static class StoppingRefusal
{
    public static IApplicationBuilder UseStoppingRefusal(this IApplicationBuilder app)
    {
        var stopping = app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        return app.Use(async (context, next) =>
        {
            if (stopping.IsCancellationRequested && context.Request.Path.StartsWithSegments(HubNames.Path))
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "1";
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
                    {
                        Status = StatusCodes.Status503ServiceUnavailable,
                        Title = "The server is stopping",
                        Detail = HubShutdown.Message,
                    },
                });
                return;
            }
            await next(context);
        });
    }
}
