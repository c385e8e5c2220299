using Equip.Web.Cluster;
using System.Text.Json;
using System.Text.Json.Serialization;
using Equip.Web.Access;
using Equip.Web.Apis;
using Equip.Web.Apis.Components;
using Equip.Infrastructure.Observability;
using OpenTelemetry.Metrics;
using Equip.Protocol;
using Equip.Web.Dashboard;
using Equip.Web.ErrorHandling;
using Equip.Web.Hubs;
using Equip.Web.Hubs.Connections;
using Equip.Mqtt;
using Microsoft.AspNetCore.Http.Json;

namespace Equip.Web;

public static class WebSetup
{
    public static WebApplicationBuilder AddEquipWeb(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<LimitOptions>().BindConfiguration(LimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var limits = builder.Configuration.GetSection(LimitOptions.Section).Get<LimitOptions>() ?? new LimitOptions();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes);

        services.Configure<JsonOptions>(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        // Bad input (malformed JSON, wrong content type, unbindable values) surfaces as an exception
        // that the handler below turns into problem details, instead of a bare status code.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = problem =>
        {
            if (problem.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge)
            {
                problem.ProblemDetails.Detail ??= $"The request body is larger than {limits.MaxRequestBodyBytes} bytes (Equip:Limits:MaxRequestBodyBytes).";
            }
            else if (problem.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
            {
                problem.ProblemDetails.Detail ??= "Send the body as JSON, with Content-Type: application/json.";
            }
        });
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();

        // The server's own meter, and ASP.NET Core's (requests, Kestrel connections), at /metrics.
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(EquipMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());

        builder.AddEquipCluster();
        builder.AddEquipAccess();
        builder.AddEquipRateLimits();
        builder.AddEquipHub(limits);
        builder.AddEquipDashboard();
        builder.AddEquipMqtt();

        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new() { Title = "Equip", Version = "v1", Description = "The Equip shared dataspace." });
            // Request bodies carry their descriptions and examples from the XML comments.
            o.IncludeXmlComments(Path.Combine(AppContext.BaseDirectory, "Equip.Web.xml"));
            // "Authorize" in Swagger UI takes the key and sends it as a bearer token.
            o.AddSecurityDefinition("key", new Microsoft.OpenApi.OpenApiSecurityScheme
            {
                Type = Microsoft.OpenApi.SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The admin key (printed at the first start, kept in the data directory's admin.key) or a device key.",
            });
            o.AddSecurityRequirement(document => new Microsoft.OpenApi.OpenApiSecurityRequirement
            {
                [new Microsoft.OpenApi.OpenApiSecuritySchemeReference("key", document)] = [],
            });
        });
        return builder;
    }

    public static WebApplication UseEquipWeb(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseStoppingRefusal();
        app.UseSwagger();
        app.UseSwaggerUI();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseEquipRateLimits();
        app.MapStaticAssets().AllowAnonymous();
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapPrometheusScrapingEndpoint("/metrics");
        var api = app.MapGroup("").RequireAdminForWrites();
        api.MapItemsApi();
        api.MapEventsApi();
        api.MapPeersApi();
        api.MapClusterApi();
        api.MapComponentsApi();
        api.MapComponentRequestsApi();
        api.MapLinksApi();
        api.MapInstallationApi();
        api.MapKeysApi();
        app.MapDataspaceHub();
        app.MapClusterReplication();
        app.MapEquipMqtt();
        app.MapEquipDashboard();
        StartupBanner.PrintWhenStarted(app);
        return app;
    }
}
