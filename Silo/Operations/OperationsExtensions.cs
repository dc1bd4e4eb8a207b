using Orleans.Dashboard;
using OpenTelemetry.Metrics;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Cells.Relay;
using TwinCity.Grains.Twins;
using TwinCity.Silo.History;
using TwinCity.Silo.Hosting;

namespace TwinCity.Silo.Operations;

/// <summary>What operators look at: Prometheus metrics on <c>/metrics</c> and the Orleans dashboard on <c>/dashboard</c>.</summary>
public static class OperationsExtensions
{
    public const string MetricsPath = "/metrics";
    public const string DashboardPath = "/dashboard";

    /// <summary>Orleans' own meter: activations, messaging, membership, storage latencies.</summary>
    private const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>The runtime's own meter (.NET 9 and later): managed heap, working set, threads, GC pauses.</summary>
    private const string RuntimeMeter = "System.Runtime";

    public static WebApplicationBuilder AddTwinCityOperations(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<SiloGauges>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(OrleansMeter, RuntimeMeter, IngestMetrics.MeterName, TwinMetrics.MeterName, CellRelay.MeterName, PostgresHistory.MeterName, SiloGauges.MeterName)
            .AddPrometheusExporter());
        return builder;
    }

    /// <summary>
    /// <c>Dashboard:Enabled</c>: on by default in a cluster, off in the embedded city (the dashboard
    /// profiles every grain call, which a laptop running the whole city can do without).
    /// </summary>
    public static bool DashboardEnabled(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        TwinCityHostOptions host = configuration.GetSection(TwinCityHostOptions.Section).Get<TwinCityHostOptions>() ?? new();
        return configuration.GetValue("Dashboard:Enabled", host.Mode == HostMode.Cluster);
    }

    /// <summary>Adds the dashboard's grains and call profiling to the silo.</summary>
    public static ISiloBuilder AddTwinCityDashboard(this ISiloBuilder silo) => silo.AddDashboard();

    /// <summary>
    /// Maps the Prometheus scrape endpoint. It holds counts and timings, no twin data and no keys;
    /// the caller decides its access (Program.cs leaves it open to the scraper, as is usual, so keep
    /// the silos' web port on the operators' network).
    /// </summary>
    public static IEndpointConventionBuilder MapTwinCityMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // The gauges exist from the first scrape on.
        _ = app.Services.GetRequiredService<SiloGauges>();
        return app.MapPrometheusScrapingEndpoint(MetricsPath);
    }

    /// <summary>
    /// Maps the Orleans dashboard under <see cref="DashboardPath"/>. It shows every grain type, the
    /// silos and their logs, so it belongs behind the city key: the caller attaches the access
    /// policy to the endpoints returned here (one place, in Program.cs).
    /// </summary>
    public static IEndpointConventionBuilder MapTwinCityDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return DashboardEnabled(app.Configuration)
            ? app.MapOrleansDashboard(routePrefix: DashboardPath)
            : app.MapGroup(DashboardPath);
    }
}
