using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Gateway.Ingest.DeadLetters;
using TwinCity.Gateway.Ingest.Http;
using TwinCity.Gateway.Ingest.Intake;
using TwinCity.Gateway.Ingest.Mqtt;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Interfaces.Commands;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest;

/// <summary>Wiring of the ingest role: codecs, the pipeline, the MQTT consumer (and the embedded broker), the HTTP integration.</summary>
public static class IngestExtensions
{
    public static IHostApplicationBuilder AddTwinCityIngest(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MqttOptions>().BindConfiguration(MqttOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<MqttOptions>, MqttTlsValidation>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(CodecRegistry.Default);
        services.AddSingleton<ICodecCatalog>(sp => sp.GetRequiredService<CodecRegistry>());
        services.AddSingleton<DeadLetterStore>();
        services.TryAddSingleton<IDeadLetterReader>(sp => sp.GetRequiredService<DeadLetterStore>());
        services.AddSingleton<DeviceDirectory>();
        services.TryAddSingleton<ISharedTwinIds>(sp => sp.GetRequiredService<DeviceDirectory>());
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<IngestPipeline>();
        services.AddSingleton<IngestIntake>();

        MqttOptions mqtt = builder.Configuration.GetSection(MqttOptions.Section).Get<MqttOptions>() ?? new();
        bool handoff = mqtt.Embedded && mqtt.Subscribe && mqtt.InProcess;
        if (handoff)
        {
            services.AddSingleton<BrokerHandoff>();
            services.AddSingleton<IMqttIntake>(sp => sp.GetRequiredService<BrokerHandoff>());
        }

        if (mqtt.Embedded)
        {
            // The broker must listen before the consumer connects: hosted services start in order.
            services.AddHostedService<EmbeddedBroker>();
        }

        services.AddOptions<DownlinkOptions>().BindConfiguration(DownlinkOptions.Section);
        services.AddSingleton<MqttDownlinkPublisher>();
        services.AddSingleton<IDownlinkPublisher>(sp => sp.GetRequiredService<MqttDownlinkPublisher>());
        services.AddHostedService(sp => sp.GetRequiredService<MqttDownlinkPublisher>());

        // Stopped after the sources (which finish what they took through it) and before the downlink
        // publisher and the broker: what the lanes hold is finished while twins can still send downlinks.
        services.AddHostedService(sp => sp.GetRequiredService<IngestIntake>());
        if (handoff)
        {
            services.AddHostedService(sp => sp.GetRequiredService<BrokerHandoff>());
        }
        else
        {
            services.AddSingleton<MqttIngestConsumer>();
            services.AddSingleton<IMqttIntake>(sp => sp.GetRequiredService<MqttIngestConsumer>());
            services.AddHostedService(sp => sp.GetRequiredService<MqttIngestConsumer>());
        }

        services.AddHealthChecks().AddCheck<MqttHealthCheck>("mqtt", tags: ["ready"]);
        return builder;
    }

    public static RouteGroupBuilder MapIngestApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapIngestEndpoints();
        return api;
    }
}
