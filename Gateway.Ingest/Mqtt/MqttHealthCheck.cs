using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>Ready only while ingest is connected to its broker (when it is meant to subscribe).</summary>
internal sealed class MqttHealthCheck(MqttIngestConsumer consumer, IOptions<MqttOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(!options.Value.Subscribe || consumer.IsConnected
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"not connected to the MQTT broker {options.Value.Host ?? "127.0.0.1"}:{options.Value.Port}"));
}
