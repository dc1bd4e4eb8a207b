using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TwinCity.Web.Health;

internal sealed class ReadinessHealthCheck(Readiness readiness, IClusterClient? client = null) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (readiness.Pending.Count > 0)
        {
            return HealthCheckResult.Unhealthy("waiting for " + string.Join(", ", readiness.Pending.Select(p => $"{p.Key} ({p.Value})")));
        }

        if (client is not null)
        {
            try
            {
                // One real grain call proves the silo takes requests, not just that the process runs.
                await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy("the silo does not answer: " + ex.Message);
            }
        }

        return HealthCheckResult.Healthy();
    }
}
