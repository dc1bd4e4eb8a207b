using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TwinCity.Grains.Interfaces.Audit;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Web.Apis;
using TwinCity.Web.Audit;
using TwinCity.Web.Auth;
using TwinCity.Web.Devices;
using TwinCity.Web.Errors;
using TwinCity.Web.Health;
using TwinCity.Web.Hubs;
using TwinCity.Web.Json;
using TwinCity.Web.Live;

namespace TwinCity.Web;

/// <summary>Wiring of the HTTP API, access control and audit, health endpoints, the hub and OpenAPI document.</summary>
public static class WebExtensions
{
    public static IHostApplicationBuilder AddTwinCityWeb(this IHostApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        builder.AddAccessFile();
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        // A query parameter that does not bind (limit=abc) becomes an exception the handler above
        // answers with a problem that names the parameter, instead of a bare 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Readiness>();
        services.AddSingleton(sp => new DeviceRequestParser(sp.GetService<ICodecCatalog>(), sp.GetRequiredService<TimeProvider>()));
        services.AddOptions<LiveOptions>().BindConfiguration(LiveOptions.Section)
            .Validate(o => o.MaxAreasPerConnection >= 1, $"{LiveOptions.Section}:{nameof(LiveOptions.MaxAreasPerConnection)} must be at least 1")
            .Validate(o => o.MaxTwinsPerConnection >= 1, $"{LiveOptions.Section}:{nameof(LiveOptions.MaxTwinsPerConnection)} must be at least 1")
            .Validate(o => o.MaxConnectionsPerCaller >= 1, $"{LiveOptions.Section}:{nameof(LiveOptions.MaxConnectionsPerCaller)} must be at least 1")
            .Validate(o => o.CallsPerSecond >= 1, $"{LiveOptions.Section}:{nameof(LiveOptions.CallsPerSecond)} must be at least 1")
            .Validate(o => o.CallBurst >= 1, $"{LiveOptions.Section}:{nameof(LiveOptions.CallBurst)} must be at least 1")
            .ValidateOnStart();
        services.AddOptions<MapOptions>().BindConfiguration(MapOptions.Section);
        services.AddOptions<RequestLimitOptions>().BindConfiguration(RequestLimitOptions.Section)
            .Validate(
                o => new[] { o.DefaultBytes, o.CommandBytes, o.RuleBytes, o.DeviceBytes, o.ImportBytes }.All(b => b >= 1024),
                $"{RequestLimitOptions.Section}:* must each be at least 1024 bytes")
            .ValidateOnStart();
        services.AddSingleton<LiveViewers>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveViewers>());
        services.AddSingleton<HubCallers>();
        services.AddHostedService(sp => sp.GetRequiredService<HubCallers>());
        // SignalR logs every call that ends in a HubException as an error; refusals are not errors, so
        // HubLimitsFilter logs each call's failure at its level and SignalR's own log of them is off.
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.Critical));
        services.AddSignalR(o => o.AddFilter<HubLimitsFilter>()).AddJsonProtocol(o =>
        {
            o.PayloadSerializerOptions.Converters.Add(new TwinSummaryJson());
            o.PayloadSerializerOptions.Converters.Add(new TwinDocumentJson());
            o.PayloadSerializerOptions.Converters.Add(new RuleFiredJson());
        });
        services.AddHealthChecks()
            .AddCheck<ReadinessHealthCheck>("ready", tags: ["ready"]);
        // Health's own log writes every probe's unhealthy checks as errors, a starting silo's too;
        // HealthLog logs each check's changes of status instead, from the probes and a periodic run.
        services.AddLogging(logging => logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.Critical));
        services.AddSingleton<HealthLog>();
        services.AddSingleton<IHealthCheckPublisher, HealthLogPublisher>();
        services.Configure<HealthCheckPublisherOptions>(o => o.Period = TimeSpan.FromSeconds(15));
        services.AddTwinCityAccess();
        services.AddOptions<RuleLimitsOptions>().BindConfiguration(RuleLimitsOptions.Section)
            .Validate(o => o.MinCommandCooldownSeconds >= 0, $"{RuleLimitsOptions.Section}:{nameof(RuleLimitsOptions.MinCommandCooldownSeconds)} must be at least 0")
            .ValidateOnStart();
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section)
            .Validate(o => o.Capacity >= 1, $"{AuditOptions.Section}:{nameof(AuditOptions.Capacity)} must be at least 1")
            .Validate(o => o.RefusalCapacity >= 1, $"{AuditOptions.Section}:{nameof(AuditOptions.RefusalCapacity)} must be at least 1")
            .ValidateOnStart();

        // A host with a durable audit trail registers it first.
        services.TryAddSingleton<IAuditLog, MemoryAuditLog>();
        return builder;
    }

    /// <summary>
    /// Maps every endpoint of the web role, each group with its access policy (API.md, "Agencies and
    /// keys"); this is the one place where who may call what is decided. The <c>/api/v1</c> group is
    /// returned so that the host can add cross-cutting endpoint groups (ingest) under it; they name
    /// their own policies from <see cref="AccessPolicies"/>, and the fallback policy asks a reader's
    /// key of any endpoint that names none.
    /// </summary>
    public static RouteGroupBuilder MapTwinCityWeb(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        // The map page's static files are public and answered before access control runs.
        app.MapCityMap();
        app.UseTwinCityAccess();

        app.MapOpenApi().AllowAnonymous();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteHealthAsync,
        }).AllowAnonymous();
        app.UseHubAdmission();
        app.MapHub<CityHub>(CityHub.Path).RequireAuthorization(AccessPolicies.Viewer);

        RouteGroupBuilder api = app.MapGroup("/api/v1")
            .WithRequestLimits(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RequestLimitOptions>>().Value);

        RouteGroupBuilder readers = api.MapGroup(string.Empty).RequireAuthorization(AccessPolicies.Reader);
        readers.MapTwinsApi();
        readers.MapCityApi();
        readers.MapAuditApi();

        api.MapGroup("/twins").WithTags("Twins").RequireAuthorization(AccessPolicies.Commander)
            .MapCommandIssuing();

        // Devices, the cluster, and whatever else only the city operates (rules).
        RouteGroupBuilder operators = api.MapGroup(string.Empty).RequireAuthorization(AccessPolicies.Operator);
        operators.MapDevicesApi();
        operators.MapClusterApi();
        operators.MapRulesApi();
        return api;
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.RequestServices.GetRequiredService<HealthLog>().Observe(report);
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["status"] = report.Status.ToString(),
            ["checks"] = report.Entries.ToDictionary(e => e.Key, e => e.Value.Description ?? e.Value.Status.ToString()),
        }));
    }
}
