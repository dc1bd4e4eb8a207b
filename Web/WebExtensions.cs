using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Web.Apis;
using TwinCity.Web.Devices;
using TwinCity.Web.Health;
using TwinCity.Web.Hubs;
using TwinCity.Web.Json;
using TwinCity.Web.Live;

namespace TwinCity.Web;

/// <summary>Wiring of the HTTP API, health endpoints and OpenAPI document.</summary>
public static class WebExtensions
{
    public static IHostApplicationBuilder AddTwinCityWeb(this IHostApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        services.AddProblemDetails();
        services.AddOpenApi();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Readiness>();
        services.AddSingleton(sp => new DeviceRequestParser(sp.GetService<ICodecCatalog>(), sp.GetRequiredService<TimeProvider>()));
        services.AddOptions<LiveOptions>().BindConfiguration(LiveOptions.Section);
        services.AddOptions<MapOptions>().BindConfiguration(MapOptions.Section);
        services.AddSingleton<LiveViewers>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveViewers>());
        services.AddSignalR().AddJsonProtocol(o =>
        {
            o.PayloadSerializerOptions.Converters.Add(new TwinSummaryJson());
            o.PayloadSerializerOptions.Converters.Add(new TwinDocumentJson());
            o.PayloadSerializerOptions.Converters.Add(new RuleFiredJson());
        });
        services.AddHealthChecks()
            .AddCheck<ReadinessHealthCheck>("ready", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Maps every endpoint of the web role. The <c>/api/v1</c> group is returned so that the host can
    /// add cross-cutting endpoint groups (ingest) under it.
    /// </summary>
    public static RouteGroupBuilder MapTwinCityWeb(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteHealthAsync,
        });

        app.MapCityMap();
        app.MapHub<CityHub>(CityHub.Path);

        RouteGroupBuilder api = app.MapGroup("/api/v1");
        api.MapTwinsApi();
        api.MapDevicesApi();
        api.MapCityApi();
        api.MapClusterApi();
        api.MapRulesApi();
        return api;
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["status"] = report.Status.ToString(),
            ["checks"] = report.Entries.ToDictionary(e => e.Key, e => e.Value.Description ?? e.Value.Status.ToString()),
        }));
    }
}
