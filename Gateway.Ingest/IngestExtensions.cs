using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Devices;

namespace TwinCity.Gateway.Ingest;

/// <summary>Wiring of the ingest role: codecs, the MQTT consumer and the HTTP integration endpoints.</summary>
public static class IngestExtensions
{
    public static IHostApplicationBuilder AddTwinCityIngest(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(CodecRegistry.Default);
        builder.Services.AddSingleton<ICodecCatalog>(sp => sp.GetRequiredService<CodecRegistry>());
        return builder;
    }

    public static RouteGroupBuilder MapIngestApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        return api;
    }
}
