using TwinCity.Gateway.Ingest;
using TwinCity.Silo.Hosting;
using TwinCity.Web;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

builder.AddTwinCityHost(args);
builder.AddTwinCityIngest();
builder.AddTwinCityWeb();

WebApplication app = builder.Build();

app.MapTwinCityWeb()
    .MapIngestApi();

await app.RunAsync();

/// <summary>The silo host; public so that tests can start the real app.</summary>
public partial class Program;
