using System.Data.Common;
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
            catch (Exception ex) when (FromDatabase(ex) is { } database)
            {
                // The management grain ran and only its read of the cluster's membership table failed:
                // the silo takes requests, and its twins answer from memory while the database is away.
                return HealthCheckResult.Degraded("the silo answers, but cannot read the membership table: " + database.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy("the silo does not answer: " + ex.Message);
            }
        }

        return HealthCheckResult.Healthy(client is null ? "nothing pending" : "nothing pending; the silo answers");
    }

    private static DbException? FromDatabase(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is DbException database)
            {
                return database;
            }
        }

        return null;
    }
}
