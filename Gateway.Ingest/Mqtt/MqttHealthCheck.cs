using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>
/// Ready while ingest is connected to its broker (when it is meant to subscribe). Ingest drops and
/// makes its connection again on purpose to have the broker deliver again what could not be recorded
/// (a database that is away fails a history batch every few seconds), so a connection that is being
/// made again counts as connected for a few seconds; readiness does not flap with it.
/// </summary>
internal sealed class MqttHealthCheck(IMqttIntake intake, IOptions<MqttOptions> options) : IHealthCheck
{
    private static readonly TimeSpan ReconnectGrace = TimeSpan.FromSeconds(5);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(!options.Value.Subscribe
            ? HealthCheckResult.Healthy($"ingest does not subscribe ({MqttOptions.Section}:{nameof(MqttOptions.Subscribe)} is false)")
            : intake.Disconnected < ReconnectGrace
                ? HealthCheckResult.Healthy($"connected to the MQTT broker {options.Value.BrokerEndpoint}")
                : HealthCheckResult.Unhealthy($"not connected to the MQTT broker {options.Value.BrokerEndpoint}"));
}
