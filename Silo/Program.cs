using TwinCity.Gateway.Ingest;
using TwinCity.Silo.Database;
using TwinCity.Silo.Hosting;
using TwinCity.Silo.Operations;
using TwinCity.Web;
using TwinCity.Web.Auth;

if (await MigrateOnly.TryRunAsync(args) is int exitCode)
{
    return exitCode;
}

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

builder.AddTwinCityHost(args);
builder.AddTwinCityIngest();
builder.AddTwinCityWeb();
builder.AddTwinCityOperations();

WebApplication app = builder.Build();

app.MapTwinCityWeb()
    .MapIngestApi();
app.MapTwinCityMetrics()
    .AllowAnonymous();
app.MapTwinCityDashboard()
    .RequireAuthorization(AccessPolicies.Operator);

await app.RunAsync();
return 0;

/// <summary>The silo host; public so that tests can start the real app.</summary>
public partial class Program;
