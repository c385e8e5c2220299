using Equip.Infrastructure.Components;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Equip.Web.Apis.Components;

public static class InstallationApi
{
    public static IEndpointRouteBuilder MapInstallationApi(this IEndpointRouteBuilder app)
    {
        var installation = app.MapGroup("/api/installation").WithTags("Installation");
        installation.MapGet("/", Export);
        installation.MapPost("/", Import).ProducesProblem(400).ProducesProblem(409);
        return app;
    }

    /// <summary>
    /// The installation's component requests, links and constants as one document (to load here or
    /// on another server).
    /// </summary>
    public static async Task<Ok<InstallationDocument>> Export(InstallationTransfer transfer, CancellationToken cancellationToken) =>
        TypedResults.Ok(await transfer.ExportAsync(cancellationToken));

    /// <summary>
    /// Loads a document made by GET /api/installation: requests get new identities and the links
    /// and constants follow them; what already exists is not made again.
    /// </summary>
    public static async Task<Ok<ImportResult>> Import(InstallationDocument document, InstallationTransfer transfer, CancellationToken cancellationToken) =>
        TypedResults.Ok(await transfer.ImportAsync(document, cancellationToken));
}
